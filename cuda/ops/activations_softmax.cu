// cuda/ops/activations_softmax.cu — kernels for activations_softmax.cuh: block r (grid-stride
// over slices) reduces slice r with the fixed-order block_max / block_sum of common/kernel.cuh,
// then writes it. Same formulas as the CPU; sums differ from it only by association order.
#include "cuda/ops/activations_softmax.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

constexpr int kSoftmaxBlock = 256;  // a power of two (block reductions)

template <SoftmaxOp OP, typename T>
__global__ void softmax_kernel(const T* a, const T* b, T* out, int64_t rows, int64_t cols, const int64_t* row_off,
                               const int64_t* col_off) {
  __shared__ T scratch[kSoftmaxBlock];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const int64_t base = row_off ? row_off[r] : r * cols;
    auto at = [&](int64_t j) { return base + (col_off ? col_off[j] : j); };
    if constexpr (OP == SoftmaxOp::softmax || OP == SoftmaxOp::log_softmax) {
      T m = -INFINITY;
      for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
        const T v = a[at(j)];
        m = m < v ? v : m;  // std::max(m, v), as the CPU's slice_max
      }
      m = block_max(m, scratch);
      T sum = T(0);
      for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) sum += exp(a[at(j)] - m);
      sum = block_sum(sum, scratch);
      if constexpr (OP == SoftmaxOp::softmax) {
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[at(j)] = exp(a[at(j)] - m) / sum;
      } else {
        const T lse = log(sum);
        for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[at(j)] = (a[at(j)] - m) - lse;
      }
    } else if constexpr (OP == SoftmaxOp::softmax_grad) {
      T dot = T(0);
      for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) dot += a[at(j)] * b[at(j)];
      dot = block_sum(dot, scratch);
      for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[at(j)] = b[at(j)] * (a[at(j)] - dot);
    } else {
      T total = T(0);
      for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) total += a[at(j)];
      total = block_sum(total, scratch);
      for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) out[at(j)] = a[at(j)] - exp(b[at(j)]) * total;
    }
  }
}

}  // namespace

template <typename T>
void launch_softmax(SoftmaxOp op, const T* a, const T* b, T* out, int64_t rows, int64_t cols,
                    const int64_t* row_offsets, const int64_t* col_offsets, cudaStream_t stream) {
  if (rows < 0 || cols < 0)
    throw std::invalid_argument("softmax: negative size " + std::to_string(rows) + " x " + std::to_string(cols));
  if ((row_offsets == nullptr) != (col_offsets == nullptr))
    throw std::invalid_argument("softmax: give both offset tables or neither");
  const bool grad = op == SoftmaxOp::softmax_grad || op == SoftmaxOp::log_softmax_grad;
  if (rows == 0 || cols == 0) return;
  if (a == nullptr || out == nullptr || (grad && b == nullptr))
    throw std::invalid_argument("softmax: null device pointer for a non-empty buffer");
  const unsigned grid = static_cast<unsigned>(rows < kMaxGridBlocks ? rows : kMaxGridBlocks);
  switch (op) {
    case SoftmaxOp::softmax:
      softmax_kernel<SoftmaxOp::softmax, T><<<grid, kSoftmaxBlock, 0, stream>>>(a, b, out, rows, cols, row_offsets,
                                                                               col_offsets);
      break;
    case SoftmaxOp::log_softmax:
      softmax_kernel<SoftmaxOp::log_softmax, T><<<grid, kSoftmaxBlock, 0, stream>>>(a, b, out, rows, cols,
                                                                                   row_offsets, col_offsets);
      break;
    case SoftmaxOp::softmax_grad:
      softmax_kernel<SoftmaxOp::softmax_grad, T><<<grid, kSoftmaxBlock, 0, stream>>>(a, b, out, rows, cols,
                                                                                    row_offsets, col_offsets);
      break;
    case SoftmaxOp::log_softmax_grad:
      softmax_kernel<SoftmaxOp::log_softmax_grad, T><<<grid, kSoftmaxBlock, 0, stream>>>(a, b, out, rows, cols,
                                                                                        row_offsets, col_offsets);
      break;
    default: throw std::invalid_argument("softmax: unknown op id");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

template void launch_softmax<float>(SoftmaxOp, const float*, const float*, float*, int64_t, int64_t, const int64_t*,
                                    const int64_t*, cudaStream_t);
template void launch_softmax<double>(SoftmaxOp, const double*, const double*, double*, int64_t, int64_t,
                                     const int64_t*, const int64_t*, cudaStream_t);

}  // namespace pkc::gpu
