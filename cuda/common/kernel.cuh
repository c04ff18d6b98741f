// cuda/common/kernel.cuh — device-side helpers shared by cuda/ops kernels: the grid-stride loop
// and fixed-order block sum / max / min. Everything is inside `#if defined(__CUDACC__)`, so the header is
// empty (and still valid) for plain C++. Reductions here are deterministic: a fixed tree per
// block, no atomics, so the same inputs give bit-identical sums run to run.
#pragma once

#if defined(__CUDACC__)
#include <cstdint>

namespace pkc::gpu {

// for (int64_t i : grid-stride range [0, n)) — 64-bit indices, any grid size.
#define PKC_GRID_STRIDE_LOOP(i, n)                                                            \
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < (n);      \
       i += static_cast<int64_t>(gridDim.x) * blockDim.x)

// Sum of `v` over the block (blockDim.x a power of two <= 1024); every thread gets the result.
// `scratch` is shared memory of blockDim.x elements. Fixed pairing order: deterministic.
template <typename T>
__device__ __forceinline__ T block_sum(T v, T* scratch) {
  const unsigned tid = threadIdx.x;
  scratch[tid] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (tid < s) scratch[tid] += scratch[tid + s];
    __syncthreads();
  }
  T r = scratch[0];
  __syncthreads();  // scratch may be reused right after
  return r;
}

template <typename T>
__device__ __forceinline__ T block_max(T v, T* scratch) {
  const unsigned tid = threadIdx.x;
  scratch[tid] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (tid < s) {
      T o = scratch[tid + s];
      // NaN-propagating max, like np.max
      scratch[tid] = (o != o || o > scratch[tid]) ? o : scratch[tid];
    }
    __syncthreads();
  }
  T r = scratch[0];
  __syncthreads();
  return r;
}

template <typename T>
__device__ __forceinline__ T block_min(T v, T* scratch) {
  const unsigned tid = threadIdx.x;
  scratch[tid] = v;
  __syncthreads();
  for (unsigned s = blockDim.x / 2; s > 0; s >>= 1) {
    if (tid < s) {
      T o = scratch[tid + s];
      scratch[tid] = (o != o || o < scratch[tid]) ? o : scratch[tid];  // NaN-propagating, like np.min
    }
    __syncthreads();
  }
  T r = scratch[0];
  __syncthreads();
  return r;
}

}  // namespace pkc::gpu
#endif  // __CUDACC__
