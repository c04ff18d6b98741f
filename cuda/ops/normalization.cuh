// cuda/ops/normalization.cuh — CUDA launchers for layer and batch normalization (mirrors
// csrc/ops/normalization.cpp). Every op views its input as [P, M, Q] with the normalized /
// channel block as M. Statistics are summed in double by one thread per group or channel in the
// CPU's loop order, so they match the CPU's to rounding of the final cast and never vary run to
// run. Declarations only (plain C++); asynchronous on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

struct GpuPMQ {
  int64_t P = 1, M = 1, Q = 1;
};

// y = x * inv + (beta - mean * inv), inv = rstd * gamma, per group (p, q) over m. gamma/beta may be null.
template <typename T>
void launch_layer_norm(const T* x, const T* gamma, const T* beta, T* y, GpuPMQ v, T eps, cudaStream_t stream);

// dx (and dgamma / dbeta, each may be null) of layer_normalization. `stats` is DEVICE scratch of
// 2 * P * Q elements (group mean and rstd, kept between the two passes).
template <typename T>
void launch_layer_norm_grad(const T* dy, const T* x, const T* gamma, T* dx, T* dgamma, T* dbeta, GpuPMQ v, T eps,
                            T* stats, cudaStream_t stream);

// Per-channel mean and biased variance over (p, q).
template <typename T>
void launch_batch_moments(const T* x, T* mean, T* var, GpuPMQ v, cudaStream_t stream);
// dx = dmean / N + dvar * 2 (x - mean) / N, N = P * Q.
template <typename T>
void launch_batch_moments_grad(const T* dmean, const T* dvar, const T* x, const T* mean, T* dx, GpuPMQ v,
                               cudaStream_t stream);
// y = x * inv + (beta - mean * inv), inv = rsqrt(var + eps) * gamma.
template <typename T>
void launch_batch_norm(const T* x, const T* mean, const T* var, const T* gamma, const T* beta, T* y, GpuPMQ v, T eps,
                       cudaStream_t stream);
// dx, dmean, dvar (and dgamma / dbeta, may be null) of batch_normalization.
template <typename T>
void launch_batch_norm_grad(const T* dy, const T* x, const T* mean, const T* var, const T* gamma, T* dx, T* dmean,
                            T* dvar, T* dgamma, T* dbeta, GpuPMQ v, T eps, cudaStream_t stream);
// s = s * m + x * om in place (om = 1 - momentum, rounded by the caller as the CPU does).
template <typename T>
void launch_moving_average(T* s, const T* x, int64_t n, T m, T om, cudaStream_t stream);

}  // namespace pkc::gpu
