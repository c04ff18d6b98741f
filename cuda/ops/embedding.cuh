// cuda/ops/embedding.cuh — CUDA launchers for embedding (mirrors csrc/ops/embedding.cpp): the
// forward gathers table rows; the backward is a deterministic segmented sum — indices are
// stably radix-sorted with their positions (CUB), and each distinct row sums its dy rows in
// original index order, one thread per (row, column): no float atomics, same result every run.
// Declarations only (plain C++); asynchronous on `stream`.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

// Index dtypes the CPU accepts; floats are truncated toward zero (Keras casts to int32).
enum class GpuIndexType : int { int32 = 0, int64, uint8, float32, float64 };

// Indices outside [0, V) (or non-finite) are data errors: the kernels record the smallest bad
// position in *bad (a DEVICE int64 the launcher first sets to n) and skip that element; the
// caller reads it back and raises. The forward writes zeros for a bad row.
template <typename T>
void launch_embedding(const void* indices, GpuIndexType itype, int64_t n, const T* table, int64_t V, int64_t D,
                      T* y, int64_t* bad, cudaStream_t stream);

// dtable[V, D] = sum over positions i with indices[i] == v of dy[i, :], in order of i.
// Allocates its sort buffers on `device` (whose compute stream `stream` must be) from the
// caching allocator, released stream-ordered.
template <typename T>
void launch_embedding_grad(const T* dy, const void* indices, GpuIndexType itype, int64_t n, int64_t V, int64_t D,
                           T* dtable, int64_t* bad, int device, cudaStream_t stream);

}  // namespace pkc::gpu
