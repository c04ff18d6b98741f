// cuda/ops/activations_softmax.cuh — CUDA launchers for softmax / log_softmax and their
// gradients from the output (mirrors csrc/ops/activations_softmax.cpp). One block per slice;
// the slice max and sums are fixed-order block reductions, so results do not vary run to run.
// Declarations only (plain C++); asynchronous on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

enum class SoftmaxOp : int {
  softmax = 0,       // out = exp(a - max) / sum          (a = x)
  log_softmax,       // out = a - max - log(sum exp)      (a = x)
  softmax_grad,      // out = b * (a - sum(a * b))        (a = dy, b = y)
  log_softmax_grad,  // out = a - exp(b) * sum(a)         (a = dy, b = y)
};

// `rows` slices of `cols` elements. Element j of slice r is at row_offsets[r] + col_offsets[j];
// both tables are DEVICE arrays, or both null for contiguous rows (r * cols + j). b is needed
// by the gradient ops only.
template <typename T>
void launch_softmax(SoftmaxOp op, const T* a, const T* b, T* out, int64_t rows, int64_t cols,
                    const int64_t* row_offsets, const int64_t* col_offsets, cudaStream_t stream);

}  // namespace pkc::gpu
