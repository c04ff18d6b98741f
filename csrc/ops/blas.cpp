// Thin wrapper over scipy-openblas32 (loaded by Python before _core imports) that threads large
// GEMMs itself: OpenBLAS stays single-threaded and C is cut into blocks computed on the engine
// pool (core/parallel). Every C element is still one BLAS dot over all of K, so results do not
// depend on the thread count. No other threading of the BLAS belongs here.
#include "ops/blas.h"

#include <cblas.h>

#include <algorithm>
#include <cstdint>

#include "core/parallel.h"

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

inline void blas_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B,
                      int ldb, float beta, float* C, int ldc) {
  scipy_cblas_sgemm(CblasRowMajor, tr(ta), tr(tb), M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
inline void blas_gemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B,
                      int ldb, double beta, double* C, int ldc) {
  scipy_cblas_dgemm(CblasRowMajor, tr(ta), tr(tb), M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

// Smallest share of a split GEMM worth handing to another thread (2*rows*N*K FLOPs): below
// it, waking a worker and packing the shared operand twice cost more than the parallel time
// saves (measured with bench/cpp/bench_dense.cpp BM_gemm_threads on a 2-vCPU Zen 3).
constexpr double kMinFlopsPerPart = 1.0e6;

// Row blocks of C start on multiples of this many rows. OpenBLAS's Haswell/Zen sgemm kernel
// computes C in register tiles 12 rows (of row-major C) high, and an element's rounding depends
// on which tile shape covers it: a block edge at a multiple of 12 keeps every tile where the
// unsplit call puts it, so results are bitwise identical. Column splits never are (the column
// direction's tiling depends on OpenBLAS's cache blocking of the whole width), hence rows only.
// dgemm rounds identically for any split; 8 keeps its 4x8 tiles whole anyway.
template <typename T>
constexpr int kRowEdge = 12;
template <>
constexpr int kRowEdge<double> = 8;

// Splits C into contiguous row blocks, one per engine thread, each one single-threaded BLAS
// call computing whole rows (every element still one dot over all of K). Returns false (nothing
// done) when the GEMM is too small for two parts, the pool has one thread, or the BLAS is itself
// threaded (set by someone else, e.g. a benchmark: never stack the two).
template <typename T>
bool split_gemm(bool ta, bool tb, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb, T beta,
                T* C, int ldc) {
  if (K <= 0 || engine_threads() <= 1 || scipy_openblas_get_num_threads() != 1) return false;
  constexpr int edge = kRowEdge<T>;
  const int64_t units = (M + edge - 1) / edge;
  const double unit_flops = 2.0 * N * static_cast<double>(K) * edge;
  const auto min_units = std::max<int64_t>(1, static_cast<int64_t>(kMinFlopsPerPart / unit_flops + 0.999));
  if (units < 2 * min_units) return false;
  parallel_for(units, min_units, [&](int64_t b, int64_t e) {
    const int lo = static_cast<int>(b * edge), hi = static_cast<int>(std::min<int64_t>(M, e * edge));
    const T* a = A + (ta ? lo : static_cast<int64_t>(lo) * lda);  // rows [lo, hi) of op(A)
    blas_gemm(ta, tb, hi - lo, N, K, alpha, a, lda, B, ldb, beta, C + static_cast<int64_t>(lo) * ldc, ldc);
  });
  return true;
}
}  // namespace

template <>
void gemm<float>(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
                 float beta, float* C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K > 0 && vector_shaped(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  if (split_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  blas_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template <>
void gemm<double>(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B,
                  int ldb, double beta, double* C, int ldc) {
  if (M == 0 || N == 0) return;
  if (K > 0 && vector_shaped(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  if (split_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  blas_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void blas_set_num_threads(int n) { scipy_openblas_set_num_threads(n); }
int blas_get_num_threads() { return scipy_openblas_get_num_threads(); }

void set_cpu_threads(int n) {
  blas_set_num_threads(1);
  set_engine_threads(n);
}
int cpu_threads() { return engine_threads(); }

}  // namespace pkc
