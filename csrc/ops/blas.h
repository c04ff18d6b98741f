// The CPU GEMM: scipy-openblas32's cblas_[sd]gemm (prefixed symbols), row-major, split over the
// engine's thread pool when large, plus the thread counts. Nothing else in ops/ calls the BLAS
// directly.
#pragma once

namespace pkc {

// C[M,N] = alpha * op(A) @ op(B) + beta * C, row-major, op = transpose when ta/tb. Large
// products run as per-thread blocks of C on the engine pool, each one single-threaded BLAS call;
// the result is bitwise the same for any thread count.
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

// OpenBLAS's own thread count. Production keeps it at 1 (see set_cpu_threads); benchmarks set
// it to compare against OpenBLAS's threading. gemm() never splits while it is above 1.
void blas_set_num_threads(int n);
int blas_get_num_threads();

// The user's CPU thread count (keras.config.set_num_threads): the engine pool gets n threads,
// OpenBLAS stays at 1, and gemm() splits large products over the pool itself.
void set_cpu_threads(int n);
int cpu_threads();

}  // namespace pkc
