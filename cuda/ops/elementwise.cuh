// cuda/ops/elementwise.cuh — CUDA launchers for the broadcasting element-wise families (mirrors
// csrc/ops/elementwise.cpp and csrc/ops/compare.cpp): binary arithmetic, comparisons / logical
// ops (bool out), where(cond, x, y), and the broadcast-and-scale copy reduce_grad needs.
// Declarations only (plain C++); asynchronous on `stream`; device pointers.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

constexpr int kGpuMaxRank = 16;  // the CPU's kMaxRank

// The output's dims and, per operand, its element strides over the output's index space
// (0 where it broadcasts), as pkc::broadcast_strides gives them. Passed to kernels by value.
struct GpuBroadcast {
  int rank = 0;
  int64_t dims[kGpuMaxRank] = {};
  int64_t stride[3][kGpuMaxRank] = {};
};

enum class GpuBinary : int { add = 0, sub, mul, div, max, min, pow };
enum class GpuCompare : int { eq = 0, ne, gt, ge, lt, le, land, lor, lxor };

// out[o] = op(a[.], b[.]) over the n = prod(dims) output elements. T: float, double, int32_t, int64_t.
template <typename T>
void launch_binary(GpuBinary op, const T* a, const T* b, T* out, int64_t n, const GpuBroadcast& bc,
                   cudaStream_t stream);
// T: float, double, int32_t, int64_t, bool (logical ops: bool only, checked by the shape rule).
template <typename T>
void launch_compare(GpuCompare op, const T* a, const T* b, bool* out, int64_t n, const GpuBroadcast& bc,
                    cudaStream_t stream);
void launch_logical_not(const bool* x, bool* y, int64_t n, cudaStream_t stream);
// out[o] = cond[.] ? a[.] : b[.] (strides 0, 1, 2 = cond, a, b). T: float, double, int32_t, int64_t.
template <typename T>
void launch_where(const bool* cond, const T* a, const T* b, T* out, int64_t n, const GpuBroadcast& bc,
                  cudaStream_t stream);
// out[o] = a[.] * scale (stride 0 = a). T: float, double.
template <typename T>
void launch_broadcast_scale(const T* a, T scale, T* out, int64_t n, const GpuBroadcast& bc, cudaStream_t stream);

}  // namespace pkc::gpu
