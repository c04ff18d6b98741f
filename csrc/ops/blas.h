// The CPU GEMM: scipy-openblas32's cblas_sgemm (prefixed symbols), row-major, plus the BLAS
// thread count. Nothing else in ops/ calls the BLAS directly.
#pragma once

namespace pkc {

// C[M,N] = alpha * op(A) @ op(B) + beta * C, row-major, op = transpose when ta/tb.
void sgemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda,
           const float* B, int ldb, float beta, float* C, int ldc);

void blas_set_num_threads(int n);
int blas_get_num_threads();

}  // namespace pkc
