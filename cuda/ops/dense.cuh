// cuda/ops/dense.cuh — CUDA launchers for the Dense family (mirrors csrc/ops/dense.h):
// the bias + ReLU epilogue y[i, j] = max(x[i, j] + b[j], 0) on row-major float32 buffers.
// Declarations only, includable from plain C++; kernels live in dense.cu. Launchers check their
// arguments and throw std::invalid_argument (-> Python ValueError) before anything runs.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

// x, y: device [rows, cols] row-major; b: device [cols]. y may alias x (in place), not b.
// Asynchronous on stream.
void launch_bias_relu(const float* x, const float* b, float* y, int64_t rows, int64_t cols,
                      cudaStream_t stream);

// Host round trip for tests and the Foundation bindings: copies host x [rows, cols] and
// b [b_len] to the device, launches, synchronises and writes host y [rows, cols].
void bias_relu_host(const float* x, int64_t rows, int64_t cols, const float* b, int64_t b_len,
                    float* y);

}  // namespace pkc::gpu
