// cuda/ops/reduce.cu — the reduction kernel of reduce.cuh: block r (grid-stride over outputs)
// folds its slice per thread in a fixed stride order, then combines threads with the fixed tree
// of common/kernel.cuh. NaN wins max/min, as on the CPU and in NumPy. No atomics.
#include "cuda/ops/reduce.cuh"

#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

constexpr int kReduceBlock = 256;  // a power of two (block reductions)

template <GpuReduce R, typename T>
__global__ void reduce_kernel(const T* x, T* y, int64_t rows, int64_t cols, const int64_t* row_off,
                              const int64_t* col_off, T init) {
  __shared__ T scratch[kReduceBlock];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t base = row_off ? row_off[r] : r * cols;
    T acc = init;
    for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
      const T v = x[base + (col_off ? col_off[j] : j)];
      if constexpr (R == GpuReduce::sum || R == GpuReduce::mean) {
        acc += v;
      } else if constexpr (R == GpuReduce::max) {
        if (v > acc || v != v) acc = v;
      } else {
        if (v < acc || v != v) acc = v;
      }
    }
    if constexpr (R == GpuReduce::sum || R == GpuReduce::mean) acc = block_sum(acc, scratch);
    else if constexpr (R == GpuReduce::max) acc = block_max(acc, scratch);
    else acc = block_min(acc, scratch);
    if (threadIdx.x == 0) {
      if constexpr (R == GpuReduce::mean) acc /= static_cast<T>(cols);
      y[r] = acc;
    }
  }
}

template <GpuReduce R, typename T>
void launch_one(const T* x, T* y, int64_t rows, int64_t cols, const int64_t* ro, const int64_t* co,
                cudaStream_t stream) {
  T init = T(0);
  if constexpr (R == GpuReduce::max)
    init = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
  if constexpr (R == GpuReduce::min)
    init = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
  const unsigned grid = static_cast<unsigned>(rows < kMaxGridBlocks ? rows : kMaxGridBlocks);
  reduce_kernel<R, T><<<grid, kReduceBlock, 0, stream>>>(x, y, rows, cols, ro, co, init);
}

}  // namespace

template <typename T>
void launch_reduce(GpuReduce op, const T* x, T* y, int64_t rows, int64_t cols, const int64_t* row_offsets,
                   const int64_t* col_offsets, cudaStream_t stream) {
  if (rows < 0 || cols < 0)
    throw std::invalid_argument("reduce: negative size " + std::to_string(rows) + " x " + std::to_string(cols));
  if ((row_offsets == nullptr) != (col_offsets == nullptr))
    throw std::invalid_argument("reduce: give both offset tables or neither");
  if (op == GpuReduce::mean && !std::is_floating_point_v<T>) throw std::invalid_argument("reduce: mean of integers");
  if (rows == 0) return;
  if (y == nullptr || (cols > 0 && x == nullptr)) throw std::invalid_argument("reduce: null device pointer");
  switch (op) {
    case GpuReduce::sum: launch_one<GpuReduce::sum, T>(x, y, rows, cols, row_offsets, col_offsets, stream); break;
    case GpuReduce::mean:
      if constexpr (std::is_floating_point_v<T>)
        launch_one<GpuReduce::mean, T>(x, y, rows, cols, row_offsets, col_offsets, stream);
      break;
    case GpuReduce::max: launch_one<GpuReduce::max, T>(x, y, rows, cols, row_offsets, col_offsets, stream); break;
    case GpuReduce::min: launch_one<GpuReduce::min, T>(x, y, rows, cols, row_offsets, col_offsets, stream); break;
    default: throw std::invalid_argument("reduce: unknown op id");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

template void launch_reduce<float>(GpuReduce, const float*, float*, int64_t, int64_t, const int64_t*, const int64_t*,
                                   cudaStream_t);
template void launch_reduce<double>(GpuReduce, const double*, double*, int64_t, int64_t, const int64_t*,
                                    const int64_t*, cudaStream_t);
template void launch_reduce<int32_t>(GpuReduce, const int32_t*, int32_t*, int64_t, int64_t, const int64_t*,
                                     const int64_t*, cudaStream_t);
template void launch_reduce<int64_t>(GpuReduce, const int64_t*, int64_t*, int64_t, int64_t, const int64_t*,
                                     const int64_t*, cudaStream_t);

}  // namespace pkc::gpu
