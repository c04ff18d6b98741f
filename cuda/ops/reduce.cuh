// cuda/ops/reduce.cuh — CUDA launchers for sum / mean / max / min over any axes (mirrors
// csrc/ops/reduce.cpp): one block per output element, a fixed-order block reduction, so the
// result is the same run to run (it may differ from the CPU's row-major sum by rounding only).
// Declarations only (plain C++); asynchronous on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

enum class GpuReduce : int { sum = 0, mean, max, min };

// y[r] = reduce_j x[row_offsets[r] + col_offsets[j]] for r < rows, j < cols; both tables DEVICE
// arrays, or both null for contiguous rows (r * cols + j). cols == 0 gives the identity (sum 0;
// mean NaN as 0/0; max/min are refused by the shape rule). T: float, double, int32_t, int64_t
// (mean: float, double).
template <typename T>
void launch_reduce(GpuReduce op, const T* x, T* y, int64_t rows, int64_t cols, const int64_t* row_offsets,
                   const int64_t* col_offsets, cudaStream_t stream);

}  // namespace pkc::gpu
