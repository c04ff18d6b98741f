// cuda/ops/activations.cu — kernels and launchers for activations.cuh: one grid-stride kernel
// per activation (fixed at compile time), forward and gradient-from-output. No reductions.
#include "cuda/ops/activations.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"
#include "cuda/ops/act_math.cuh"

namespace pkc::gpu {
namespace {

template <GpuAct A, typename T>
__global__ void act_kernel(const T* x, T* y, int64_t n) {
  PKC_GRID_STRIDE_LOOP(i, n) { y[i] = act_fwd<A>(x[i]); }
}

template <GpuAct A, typename T>
__global__ void act_grad_kernel(const T* dy, const T* y, T* dx, int64_t n) {
  PKC_GRID_STRIDE_LOOP(i, n) { dx[i] = act_bwd<A>(dy[i], y[i]); }
}

void check_args(const char* op, int64_t n, const void* a, const void* b) {
  if (n < 0) throw std::invalid_argument(std::string(op) + ": negative size " + std::to_string(n));
  if (n > 0 && (a == nullptr || b == nullptr))
    throw std::invalid_argument(std::string(op) + ": null device pointer for a non-empty buffer");
}

}  // namespace

template <typename T>
void launch_act(GpuAct act, const T* x, T* y, int64_t n, cudaStream_t stream) {
  check_args("activation", n, x, y);
  if (n == 0) return;
  PKC_ACT_SWITCH(act, A, act_kernel<A, T><<<grid_size(n), kBlockSize, 0, stream>>>(x, y, n))
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_act_grad(GpuAct act, const T* dy, const T* y, T* dx, int64_t n, cudaStream_t stream) {
  check_args("activation gradient", n, dy, dx);
  if (n > 0 && y == nullptr) throw std::invalid_argument("activation gradient: null output pointer");
  if (n == 0) return;
  PKC_ACT_SWITCH(act, A, act_grad_kernel<A, T><<<grid_size(n), kBlockSize, 0, stream>>>(dy, y, dx, n))
  PKC_CUDA_CHECK_LAUNCH();
}

template void launch_act<float>(GpuAct, const float*, float*, int64_t, cudaStream_t);
template void launch_act<double>(GpuAct, const double*, double*, int64_t, cudaStream_t);
template void launch_act_grad<float>(GpuAct, const float*, const float*, float*, int64_t, cudaStream_t);
template void launch_act_grad<double>(GpuAct, const double*, const double*, double*, int64_t, cudaStream_t);

}  // namespace pkc::gpu
