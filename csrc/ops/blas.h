// The CPU GEMM: scipy-openblas32's cblas_[sd]gemm (prefixed symbols), row-major, plus the BLAS
// thread count. Nothing else in ops/ calls the BLAS directly.
#pragma once

namespace pkc {

// C[M,N] = alpha * op(A) @ op(B) + beta * C, row-major, op = transpose when ta/tb.
template <typename T>
void gemm(bool ta, bool tb, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb, T beta, T* C,
          int ldc);
template <>
void gemm<float>(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                 float beta, float* C, int ldc);
template <>
void gemm<double>(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B,
                  int ldb, double beta, double* C, int ldc);

inline void sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                  int ldb, float beta, float* C, int ldc) {
  gemm<float>(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void blas_set_num_threads(int n);
int blas_get_num_threads();

}  // namespace pkc
