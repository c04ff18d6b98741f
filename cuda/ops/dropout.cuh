// cuda/ops/dropout.cuh — CUDA launcher for dropout (mirrors csrc/ops/dropout.cpp): element i of
// the noise shape is kept at step t iff philox_uniform(philox_draw(seed, t, i / 4).v[i % 4]) >=
// rate, kept values divided by keep_prob — the CPU's mask bit for bit. Declarations only.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

constexpr int kMaxDropoutRank = 8;

// x, y: device, row-major shape x_shape[rank]; noise_shape[d] is x_shape[d] or 1 (broadcast).
// rate >= 1 zero-fills y. Throws std::invalid_argument for a bad rank or noise shape.
template <typename T>
void launch_dropout(const T* x, T* y, const int64_t* x_shape, const int64_t* noise_shape, int rank,
                    uint64_t seed, uint64_t step, float rate, T keep_prob, cudaStream_t stream);

}  // namespace pkc::gpu
