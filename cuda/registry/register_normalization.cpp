// cuda/registry/register_normalization.cpp — CUDA kernel factories for layer_normalization
// (+ _grad), batch_moments (+ _grad), batch_normalization (+ _grad) and moving_average_update.
// The [P, M, Q] views and attr defaults are those of csrc/ops/normalization.cpp (its shape rules
// already checked axes and parameter shapes); layer_normalization_grad's group statistics
// scratch is allocated here, once per factory call.
#include <algorithm>
#include <memory>

#include "core/error.h"
#include "cuda/ops/normalization.cuh"
#include "cuda/registry/device_tensor.h"
#include "cuda/registry/register_common.h"

namespace pkc::gpu {
namespace {

// dims [0, a0) -> P, [a0, a1] -> M, (a1, rank) -> Q
GpuPMQ split3(const Shape& s, int a0, int a1) {
  GpuPMQ v;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) (d < a0 ? v.P : d <= a1 ? v.M : v.Q) *= s[d];
  return v;
}

std::pair<int, int> ln_axes(const Attrs& attrs, const Shape& x, const std::string& node) {
  std::vector<int64_t> axes = attrs.has("axes") ? attrs.ints("axes") : std::vector<int64_t>{-1};
  std::vector<int> ax;
  for (int64_t a : axes) ax.push_back(normalize_axis(a, x.size(), node.c_str()));
  std::sort(ax.begin(), ax.end());
  return {ax.front(), ax.back()};
}

GpuPMQ bn_view(const KernelArgs& a, const Shape& x) {
  const int ax = normalize_axis(a.attrs.i("axis", -1), x.size(), a.node.c_str());
  return split3(x, ax, ax);
}

template <typename T>
T epsilon(const KernelArgs& a) { return static_cast<T>(a.attrs.f("epsilon", 1e-3)); }

template <typename T>
Kernel layer_norm_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  auto [a0, a1] = ln_axes(a.attrs, a.in[0].shape, a.node);
  const GpuPMQ v = split3(a.in[0].shape, a0, a1);
  const T eps = epsilon<T>(a);
  size_t i = 1;
  const T* gamma = a.attrs.i("scale", 1) ? a.in[i++].ptr<T>() : nullptr;
  const T* beta = a.attrs.i("center", 1) ? a.in[i++].ptr<T>() : nullptr;
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_layer_norm<T>(x, gamma, beta, y, v, eps, s); };
}

template <typename T>
Kernel layer_norm_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const bool scale = a.attrs.i("scale", 1) != 0, center = a.attrs.i("center", 1) != 0;
  const T* gamma = scale ? a.in[2].ptr<T>() : nullptr;
  T* dx = a.out[0].ptr<T>();
  T* dgamma = scale ? a.out[1].ptr<T>() : nullptr;
  T* dbeta = center ? a.out[1 + scale].ptr<T>() : nullptr;
  auto [a0, a1] = ln_axes(a.attrs, a.in[1].shape, a.node);
  const GpuPMQ v = split3(a.in[1].shape, a0, a1);
  const T eps = epsilon<T>(a);
  const std::shared_ptr<Storage> stats =
      allocate_device_storage(sizeof(T) * 2 * static_cast<size_t>(v.P * v.Q), kernel_device(a));
  cudaStream_t s = kernel_stream(a);
  return [=] {
    T* st = stats ? static_cast<T*>(stats->data()) : nullptr;
    launch_layer_norm_grad<T>(dy, x, gamma, dx, dgamma, dbeta, v, eps, st, s);
  };
}

template <typename T>
Kernel moments_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* mean = a.out[0].ptr<T>();
  T* var = a.out[1].ptr<T>();
  const GpuPMQ v = bn_view(a, a.in[0].shape);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_batch_moments<T>(x, mean, var, v, s); };
}

template <typename T>
Kernel moments_grad_kernel(const KernelArgs& a) {
  const T* dmean = a.in[0].ptr<T>();
  const T* dvar = a.in[1].ptr<T>();
  const T* x = a.in[2].ptr<T>();
  const T* mean = a.in[3].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  const GpuPMQ v = bn_view(a, a.in[2].shape);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_batch_moments_grad<T>(dmean, dvar, x, mean, dx, v, s); };
}

template <typename T>
Kernel bn_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* mean = a.in[1].ptr<T>();
  const T* var = a.in[2].ptr<T>();
  size_t i = 3;
  const T* gamma = a.attrs.i("scale", 1) ? a.in[i++].ptr<T>() : nullptr;
  const T* beta = a.attrs.i("center", 1) ? a.in[i++].ptr<T>() : nullptr;
  T* y = a.out[0].ptr<T>();
  const GpuPMQ v = bn_view(a, a.in[0].shape);
  const T eps = epsilon<T>(a);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_batch_norm<T>(x, mean, var, gamma, beta, y, v, eps, s); };
}

template <typename T>
Kernel bn_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const T* mean = a.in[2].ptr<T>();
  const T* var = a.in[3].ptr<T>();
  const bool scale = a.attrs.i("scale", 1) != 0, center = a.attrs.i("center", 1) != 0;
  const T* gamma = scale ? a.in[4].ptr<T>() : nullptr;
  T* dx = a.out[0].ptr<T>();
  T* dmean = a.out[1].ptr<T>();
  T* dvar = a.out[2].ptr<T>();
  T* dgamma = scale ? a.out[3].ptr<T>() : nullptr;
  T* dbeta = center ? a.out[3 + scale].ptr<T>() : nullptr;
  const GpuPMQ v = bn_view(a, a.in[1].shape);
  const T eps = epsilon<T>(a);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_batch_norm_grad<T>(dy, x, mean, var, gamma, dx, dmean, dvar, dgamma, dbeta, v, eps, s); };
}

template <typename T>
Kernel moving_average_kernel(const KernelArgs& a) {
  T* st = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const int64_t n = a.in[0].numel();
  const double mom = a.attrs.f("momentum", 0.99);
  const T m = static_cast<T>(mom), om = static_cast<T>(1.0 - mom);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_moving_average<T>(st, x, n, m, om, s); };
}

}  // namespace

void register_normalization_kernels(std::vector<std::string>& done) {
  set_cuda_kernel("layer_normalization", PKC_GPU_FLOAT_KERNEL(layer_norm_kernel), done);
  set_cuda_kernel("layer_normalization_grad", PKC_GPU_FLOAT_KERNEL(layer_norm_grad_kernel), done);
  set_cuda_kernel("batch_moments", PKC_GPU_FLOAT_KERNEL(moments_kernel), done);
  set_cuda_kernel("batch_moments_grad", PKC_GPU_FLOAT_KERNEL(moments_grad_kernel), done);
  set_cuda_kernel("batch_normalization", PKC_GPU_FLOAT_KERNEL(bn_kernel), done);
  set_cuda_kernel("batch_normalization_grad", PKC_GPU_FLOAT_KERNEL(bn_grad_kernel), done);
  set_cuda_kernel("moving_average_update", PKC_GPU_FLOAT_KERNEL(moving_average_kernel), done);
}

}  // namespace pkc::gpu
