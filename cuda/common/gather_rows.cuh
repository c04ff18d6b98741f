// cuda/common/gather_rows.cuh — the engine's batch gather on the device: packed dst row r =
// src row rows[r], for the training arrays uploaded once per fit (shuffled index on the device).
// Host declaration only (plain C++); not an op, so it has no CPU twin in csrc/ops.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace pkc::gpu {

// Asynchronous on `stream`. `rows` is a device array of n indices, each checked by the caller
// to be < the number of source rows (the epoch order is a permutation of them).
void launch_gather_rows(void* dst, const void* src, const int64_t* rows, int64_t n, size_t row_bytes,
                        int64_t src_stride, cudaStream_t stream);

}  // namespace pkc::gpu
