// Thin wrapper over scipy-openblas32. The library is loaded by Python before _core imports.
#include "ops/blas.h"

#include <cblas.h>

#include <cstdint>

namespace pkc {

namespace {
CBLAS_TRANSPOSE tr(bool t) { return t ? CblasTrans : CblasNoTrans; }

inline void gemv(bool trans, int rows, int cols, float alpha, const float* A, int lda, const float* x, int incx,
                 float* y, int incy) {
  scipy_cblas_sgemv(CblasRowMajor, tr(trans), rows, cols, alpha, A, lda, x, incx, 0.f, y, incy);
}
inline void gemv(bool trans, int rows, int cols, double alpha, const double* A, int lda, const double* x, int incx,
                 double* y, int incy) {
  scipy_cblas_dgemv(CblasRowMajor, tr(trans), rows, cols, alpha, A, lda, x, incx, 0.0, y, incy);
}

// Vector-shaped products (a dimension of 1, common in small output layers) go to GEMV or a
// direct outer product: the GEMM path would pack operands and zero C row by row, costing more
// than the arithmetic. Only for beta == 0. Returns true when handled.
template <typename T>
bool vector_shaped(bool ta, bool tb, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb, T beta,
                   T* C, int ldc) {
  if (beta != T(0)) return false;
  if (N == 1) {  // C[:,0] = op(A) @ b, with b = op(B)[:,0]
    if (ta)
      gemv(true, K, M, alpha, A, lda, B, tb ? 1 : ldb, C, ldc);
    else
      gemv(false, M, K, alpha, A, lda, B, tb ? 1 : ldb, C, ldc);
    return true;
  }
  if (M == 1) {  // C[0,:] = a @ op(B), with a = op(A)[0,:]
    if (tb)
      gemv(false, N, K, alpha, B, ldb, A, ta ? lda : 1, C, 1);
    else
      gemv(true, K, N, alpha, B, ldb, A, ta ? lda : 1, C, 1);
    return true;
  }
  if (K == 1) {  // outer product: one multiply per element, exactly what GEMM would compute
    const int sa = ta ? 1 : lda, sb = tb ? ldb : 1;
    for (int i = 0; i < M; ++i) {
      const T ai = alpha * A[static_cast<int64_t>(i) * sa];
      T* c = C + static_cast<int64_t>(i) * ldc;
      for (int j = 0; j < N; ++j) c[j] = ai * B[static_cast<int64_t>(j) * sb];
    }
    return true;
  }
  return false;
}
}  // namespace

template <>
void gemm<float>(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                 float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K > 0 && vector_shaped(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  scipy_cblas_sgemm(CblasRowMajor, tr(ta), tr(tb), M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <>
void gemm<double>(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B,
                  int ldb, double beta, double* C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K > 0 && vector_shaped(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  scipy_cblas_dgemm(CblasRowMajor, tr(ta), tr(tb), M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void blas_set_num_threads(int n) { scipy_openblas_set_num_threads(n); }
int blas_get_num_threads() { return scipy_openblas_get_num_threads(); }

}  // namespace pkc
