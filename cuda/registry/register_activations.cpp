// cuda/registry/register_activations.cpp — CUDA kernel factories for the activations whose
// gradient needs x (leaky_relu, elu, selu, gelu, softplus, silu, softsign and their `_grad`
// ops taking (dy, x)) and for softmax / log_softmax (+ `_grad` taking (dy, y)) over any axes.
// Attrs are parsed here with the CPU's defaults; softmax offset tables are built and uploaded
// once per factory call, never inside the kernel closure.
#include <algorithm>
#include <memory>

#include "core/error.h"
#include "ops/activations.h"
#include "cuda/ops/activations_param.cuh"
#include "cuda/ops/activations_softmax.cuh"
#include "cuda/registry/register_common.h"
#include "cuda/registry/slices.h"

namespace pkc::gpu {
namespace {

GpuActParams act_params(const Attrs& at) {
  GpuActParams p;
  p.negative_slope = at.f("negative_slope", 0.2);
  p.max_value = at.f("max_value", 0.0);
  p.has_max = at.has("max_value");
  p.threshold = at.f("threshold", 0.0);
  p.alpha = at.f("alpha", 1.0);
  p.approximate = at.i("approximate", 1) != 0;
  return p;
}

template <GpuParamAct A, typename T>
Kernel param_act_kernel(const KernelArgs& a) {
  const GpuActParams p = act_params(a.attrs);
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const int64_t n = a.in[0].numel();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_param_act<T>(A, p, x, y, n, s); };
}

template <GpuParamAct A, typename T>
Kernel param_act_grad_kernel(const KernelArgs& a) {
  const GpuActParams p = act_params(a.attrs);
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  const int64_t n = a.in[0].numel();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_param_act_grad<T>(A, p, dy, x, dx, n, s); };
}

template <GpuParamAct A>
void set_param_act(const char* name, std::vector<std::string>& done) {
  KernelFactory fwd = [](const KernelArgs& a) -> Kernel {
    return kernel_dtype(a) == DType::float64 ? param_act_kernel<A, double>(a) : param_act_kernel<A, float>(a);
  };
  KernelFactory bwd = [](const KernelArgs& a) -> Kernel {
    return kernel_dtype(a) == DType::float64 ? param_act_grad_kernel<A, double>(a)
                                             : param_act_grad_kernel<A, float>(a);
  };
  set_cuda_kernel(name, fwd, done);
  set_cuda_kernel(std::string(name) + "_grad", bwd, done);
}

// ---- softmax: the slices of csrc/ops/activations_softmax.cpp, over the same axes
// (pkc::softmax_axes; the shape rules already validated them).
DeviceSlices softmax_slices(const KernelArgs& a) {
  const Shape& shape = a.in[0].shape;
  if (numel(shape) == 0) return {};
  return device_slices(a, shape, softmax_axes(a.attrs, shape.size(), a.node));
}

template <SoftmaxOp OP, typename T>
Kernel softmax_kernel(const KernelArgs& a) {
  const bool grad = OP == SoftmaxOp::softmax_grad || OP == SoftmaxOp::log_softmax_grad;
  const T* x = a.in[0].ptr<T>();
  const T* y = grad ? a.in[1].ptr<T>() : nullptr;
  T* out = a.out[0].ptr<T>();
  const DeviceSlices sl = softmax_slices(a);
  cudaStream_t s = kernel_stream(a);
  return [=] {  // sl (and so the offset tables) lives as long as the kernel
    launch_softmax<T>(OP, x, y, out, sl.rows, sl.cols, sl.row_table(), sl.col_table(), s);
  };
}

template <SoftmaxOp OP>
Kernel softmax_factory(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? softmax_kernel<OP, double>(a) : softmax_kernel<OP, float>(a);
}

}  // namespace

void register_activation_kernels(std::vector<std::string>& done) {
  set_param_act<GpuParamAct::leaky_relu>("leaky_relu", done);
  set_param_act<GpuParamAct::elu>("elu", done);
  set_param_act<GpuParamAct::selu>("selu", done);
  set_param_act<GpuParamAct::gelu>("gelu", done);
  set_param_act<GpuParamAct::softplus>("softplus", done);
  set_param_act<GpuParamAct::silu>("silu", done);
  set_param_act<GpuParamAct::softsign>("softsign", done);
  set_cuda_kernel("softmax", softmax_factory<SoftmaxOp::softmax>, done);
  set_cuda_kernel("log_softmax", softmax_factory<SoftmaxOp::log_softmax>, done);
  set_cuda_kernel("softmax_grad", softmax_factory<SoftmaxOp::softmax_grad>, done);
  set_cuda_kernel("log_softmax_grad", softmax_factory<SoftmaxOp::log_softmax_grad>, done);
}

}  // namespace pkc::gpu
