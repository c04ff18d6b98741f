// cuda/ops/dense.cuh — CUDA launchers for the Dense family (mirrors csrc/ops/dense.cpp): row-major
// GEMM through cuBLASLt (plain, +bias, +bias+ReLU epilogues), the stand-alone bias + ReLU pass,
// bias column sums and the fused activation-gradient + bias-sum of dense_act_grad.
// Declarations only, includable from plain C++; kernels live in dense.cu. Launchers check their
// arguments and throw std::invalid_argument (-> Python ValueError) before anything runs.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "cuda/ops/activations.cuh"

namespace pkc::gpu {

enum class GemmEpilogue : int { none = 0, bias, bias_relu };

// Row-major C[M, N] = op(A) @ op(B) (+ bias[N], then ReLU) with op = transpose when ta / tb;
// lda/ldb/ldc are row strides. float32 uses CUBLAS_COMPUTE_32F (TF32 only after
// set_tf32_enabled(true)); double uses 64F. K == 0 writes zeros (plus the epilogue). Uses the
// calling device's cuBLASLt handle and workspace; asynchronous on `stream`.
template <typename T>
void launch_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
                 int64_t ldb, T* C, int64_t ldc, const T* bias, GemmEpilogue epilogue, cudaStream_t stream);

// y[r, :] = act(y[r, :] + b) (b may be null) in place, for activations cuBLASLt cannot fuse.
template <typename T>
void launch_bias_act(GpuAct act, T* y, const T* b, int64_t rows, int64_t cols, cudaStream_t stream);

// db[j] = sum_r dz[r, j], summed in row order by one thread per column (deterministic).
template <typename T>
void launch_bias_grad(const T* dz, T* db, int64_t rows, int64_t cols, cudaStream_t stream);

// dz = act'(y) * dy, then db = column sums of dz (dense_act_grad); db may be null.
template <typename T>
void launch_act_grad_colsum(GpuAct act, const T* dy, const T* y, T* dz, T* db, int64_t rows, int64_t cols,
                            cudaStream_t stream);

// x, y: device [rows, cols] row-major; b: device [cols]. y may alias x (in place), not b.
// Asynchronous on stream.
void launch_bias_relu(const float* x, const float* b, float* y, int64_t rows, int64_t cols,
                      cudaStream_t stream);

// Host round trip for tests and the Foundation bindings: copies host x [rows, cols] and
// b [b_len] to the device, launches, synchronises and writes host y [rows, cols].
void bias_relu_host(const float* x, int64_t rows, int64_t cols, const float* b, int64_t b_len,
                    float* y);

}  // namespace pkc::gpu
