// cuda/registry/register_losses.cpp — CUDA kernel factories for the loss ops: the element-wise
// losses and their `_grad`s (attr wrt), sigmoid_binary_crossentropy_grad,
// categorical_crossentropy (+ _grad, softmax_categorical_crossentropy_grad),
// sparse_categorical_crossentropy (+ _grad, softmax_sparse_categorical_crossentropy_grad) and
// reduce_loss (+ _grad, sample weights of the values' shape only). Attrs are converted to the
// kernel's type exactly as the CPU kernels convert them. Label errors are read back from the
// device and raised with the CPU's message.
#include <cuda_runtime_api.h>

#include <memory>
#include <string>

#include "core/error.h"
#include "cuda/common/check.cuh"
#include "cuda/ops/losses.cuh"
#include "cuda/registry/device_tensor.h"
#include "cuda/registry/register_common.h"
#include "ops/losses.h"

namespace pkc::gpu {
namespace {

GpuAxisGeom geom(const KernelArgs& a, int pred_index) {
  const loss::AxisGeom g = loss::axis_geom(a.in[pred_index].shape, a.attrs.i("axis", -1), a.node);
  return {g.outer, g.C, g.inner};
}

// csrc/ops/losses_elementwise.cpp's ew_params, field for field.
template <typename T>
GpuEwParams<T> ew_params(const Attrs& a) {
  GpuEwParams<T> P;
  P.eps = loss::eps<T>();
  P.hi = loss::one_minus_eps<T>();
  const double delta = a.f("delta", 1.0), ls = a.f("label_smoothing", 0.0), alpha = a.f("alpha", 0.25);
  P.delta = static_cast<T>(delta);
  P.half_delta_sq = T(0.5) * P.delta * P.delta;
  P.gamma = static_cast<T>(a.f("gamma", 2.0));
  P.alpha = static_cast<T>(alpha);
  P.one_minus_alpha = static_cast<T>(1.0 - alpha);
  P.keep = T(1);
  P.add = T(0);
  P.dts = T(1);
  if (ls != 0.0) {
    P.keep = static_cast<T>(1.0 - ls);
    P.add = static_cast<T>(0.5 * ls);
    P.dts = P.keep;
  }
  P.from_logits = a.i("from_logits", 0) != 0;
  P.balance = a.i("apply_class_balancing", 0) != 0;
  return P;
}

// The hinge losses' per-call label check needs one device int per kernel.
std::shared_ptr<Storage> flag_storage(const KernelArgs& a, GpuEwLoss k) {
  if (k != GpuEwLoss::hinge && k != GpuEwLoss::squared_hinge) return nullptr;
  return allocate_device_storage(sizeof(int), kernel_device(a));
}

template <GpuEwLoss K, typename T>
Kernel ew_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const GpuAxisGeom G = geom(a, 1);
  const GpuEwParams<T> P = ew_params<T>(a.attrs);
  const std::shared_ptr<Storage> flag = flag_storage(a, K);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_ew_loss<T>(K, P, t, p, out, G, flag ? static_cast<int*>(flag->data()) : nullptr, s); };
}

template <GpuEwLoss K, typename T>
Kernel ew_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  const GpuAxisGeom G = geom(a, 2);
  const GpuEwParams<T> P = ew_params<T>(a.attrs);
  const bool wrt_pred = a.attrs.i("wrt", 1) != 0;
  const std::shared_ptr<Storage> flag = flag_storage(a, K);
  cudaStream_t s = kernel_stream(a);
  return [=] {
    launch_ew_loss_grad<T>(K, P, dl, t, p, dx, G, wrt_pred, flag ? static_cast<int*>(flag->data()) : nullptr, s);
  };
}

template <GpuEwLoss K>
void set_ew(const std::string& name, std::vector<std::string>& done) {
  KernelFactory fwd = [](const KernelArgs& a) -> Kernel {
    return kernel_dtype(a) == DType::float64 ? ew_kernel<K, double>(a) : ew_kernel<K, float>(a);
  };
  KernelFactory bwd = [](const KernelArgs& a) -> Kernel {
    return kernel_dtype(a) == DType::float64 ? ew_grad_kernel<K, double>(a) : ew_grad_kernel<K, float>(a);
  };
  set_cuda_kernel(name, fwd, done);
  set_cuda_kernel(name + "_grad", bwd, done);
}

template <typename T>
Kernel sigmoid_bce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* q = a.in[2].ptr<T>();
  T* dz = a.out[0].ptr<T>();
  const GpuAxisGeom G = geom(a, 2);
  const GpuEwParams<T> P = ew_params<T>(a.attrs);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_sigmoid_bce_grad<T>(P, dl, t, q, dz, G, s); };
}

// ---- categorical crossentropy (label smoothing as losses_categorical.cpp's smoothing()).
template <GpuCceOp OP, typename T>
Kernel cce_kernel(const KernelArgs& a) {
  const bool fwd = OP == GpuCceOp::forward;
  const T* dl = fwd ? nullptr : a.in[0].ptr<T>();
  const T* t = a.in[fwd ? 0 : 1].ptr<T>();
  const T* p = a.in[fwd ? 1 : 2].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const GpuAxisGeom G = geom(a, fwd ? 1 : 2);
  const double ls = a.attrs.f("label_smoothing", 0.0);
  const T keep = ls != 0.0 ? static_cast<T>(1.0 - ls) : T(1);
  const T add = ls != 0.0 ? static_cast<T>(ls) / static_cast<T>(G.C) : T(0);
  const bool from_logits = a.attrs.i("from_logits", 0) != 0, wrt_pred = a.attrs.i("wrt", 1) != 0;
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_cce<T>(OP, dl, t, p, out, G, from_logits, wrt_pred, keep, add, s); };
}

template <GpuCceOp OP>
Kernel cce_factory(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? cce_kernel<OP, double>(a) : cce_kernel<OP, float>(a);
}

// ---- sparse categorical crossentropy
int label_type(DType dt, const std::string& node) {
  switch (dt) {
    case DType::int32: return 0;
    case DType::int64: return 1;
    case DType::uint8: return 2;
    case DType::float32: return 3;
    case DType::float64: return 4;
    default: PKC_THROW(Type, node, ": unsupported label dtype ", dtype_name(dt));
  }
}

// Reads the bad-row flag; on a bad label fetches it and throws the CPU's message.
void raise_if_bad_label(const int64_t* flag, const void* labels, DType dt, int64_t rows, int64_t C,
                        const std::string& node, cudaStream_t s) {
  int64_t bad = rows;
  PKC_CUDA_CHECK(cudaMemcpyAsync(&bad, flag, sizeof(bad), cudaMemcpyDeviceToHost, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  if (bad >= rows) return;
  unsigned char raw[8] = {};
  const size_t width = dtype_size(dt);
  PKC_CUDA_CHECK(cudaMemcpyAsync(raw, static_cast<const unsigned char*>(labels) + bad * width, width,
                                 cudaMemcpyDeviceToHost, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  int64_t y = 0;
  switch (dt) {
    case DType::int32: y = *reinterpret_cast<int32_t*>(raw); break;
    case DType::int64: y = *reinterpret_cast<int64_t*>(raw); break;
    case DType::uint8: y = raw[0]; break;
    case DType::float32: y = static_cast<int64_t>(*reinterpret_cast<float*>(raw)); break;
    default: y = static_cast<int64_t>(*reinterpret_cast<double*>(raw)); break;
  }
  PKC_THROW(Value, node, ": received a label value of ", y, " which is outside the valid range of [0, ", C, ")");
}

template <GpuScceOp OP, typename T>
Kernel scce_kernel(const KernelArgs& a) {
  const bool fwd = OP == GpuScceOp::forward;
  const T* dl = fwd ? nullptr : a.in[0].ptr<T>();
  const Tensor& lt = a.in[fwd ? 0 : 1];
  const void* labels = lt.data;
  const DType ldt = lt.dtype;
  const int ltype = label_type(ldt, a.node);
  const Tensor& pt = a.in[fwd ? 1 : 2];
  const T* p = pt.ptr<T>();
  T* out = a.out[0].ptr<T>();
  const int64_t C = pt.shape.back(), rows = C ? pt.numel() / C : 0;
  const bool from_logits = a.attrs.i("from_logits", 0) != 0, has_ignore = a.attrs.has("ignore_class");
  const int64_t ignore = a.attrs.i("ignore_class", 0);
  const std::shared_ptr<Storage> flag = allocate_device_storage(sizeof(int64_t), kernel_device(a));
  const std::string node = a.node;
  cudaStream_t s = kernel_stream(a);
  return [=] {
    auto* f = static_cast<int64_t*>(flag->data());
    launch_scce<T>(OP, dl, labels, ltype, p, out, rows, C, from_logits, has_ignore, ignore, f, s);
    if (rows > 0) raise_if_bad_label(f, labels, ldt, rows, C, node, s);
  };
}

template <GpuScceOp OP>
Kernel scce_factory(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? scce_kernel<OP, double>(a) : scce_kernel<OP, float>(a);
}

// ---- reduce_loss
int reduction_mode(const KernelArgs& a, bool has_w) {
  const std::string red = a.attrs.s("reduction", "sum_over_batch_size");
  if (red == "sum") return 1;
  if (red == "mean_with_sample_weight" && has_w) return 2;
  return 0;
}

void check_weight_shape(const KernelArgs& a, int vi, int wi) {
  if (wi >= static_cast<int>(a.in.size())) return;
  PKC_CHECK(a.in[wi].shape == a.in[vi].shape, Value, a.node, ": reduce_loss on CUDA needs sample_weight of the loss "
            "values' shape ", shape_str(a.in[vi].shape), ", got ", shape_str(a.in[wi].shape),
            " (broadcast weights run on the CPU only)");
}

template <typename T>
Kernel reduce_loss_kernel(const KernelArgs& a) {
  check_weight_shape(a, 0, 1);
  const T* v = a.in[0].ptr<T>();
  const T* w = a.in.size() == 2 ? a.in[1].ptr<T>() : nullptr;
  const int64_t n = a.in[0].numel();
  const int mode = reduction_mode(a, w != nullptr);
  T* out = a.out[0].ptr<T>();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_reduce_loss<T>(v, w, n, mode, out, s); };
}

template <typename T>
Kernel reduce_loss_grad_kernel(const KernelArgs& a) {
  check_weight_shape(a, 1, 2);
  const T* dl = a.in[0].ptr<T>();
  const T* w = a.in.size() == 3 ? a.in[2].ptr<T>() : nullptr;
  const int64_t n = a.in[1].numel();
  const int mode = reduction_mode(a, w != nullptr);
  T* dv = a.out[0].ptr<T>();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_reduce_loss_grad<T>(dl, w, n, mode, dv, s); };
}

}  // namespace

void register_loss_kernels(std::vector<std::string>& done) {
  set_ew<GpuEwLoss::mse>("mean_squared_error", done);
  set_ew<GpuEwLoss::mae>("mean_absolute_error", done);
  set_ew<GpuEwLoss::mape>("mean_absolute_percentage_error", done);
  set_ew<GpuEwLoss::msle>("mean_squared_logarithmic_error", done);
  set_ew<GpuEwLoss::huber>("huber", done);
  set_ew<GpuEwLoss::log_cosh>("log_cosh", done);
  set_ew<GpuEwLoss::hinge>("hinge", done);
  set_ew<GpuEwLoss::squared_hinge>("squared_hinge", done);
  set_ew<GpuEwLoss::poisson>("poisson", done);
  set_ew<GpuEwLoss::kld>("kl_divergence", done);
  set_ew<GpuEwLoss::bce>("binary_crossentropy", done);
  set_ew<GpuEwLoss::bfce>("binary_focal_crossentropy", done);
  set_cuda_kernel("sigmoid_binary_crossentropy_grad", PKC_GPU_FLOAT_KERNEL(sigmoid_bce_grad_kernel), done);
  set_cuda_kernel("categorical_crossentropy", cce_factory<GpuCceOp::forward>, done);
  set_cuda_kernel("categorical_crossentropy_grad", cce_factory<GpuCceOp::grad>, done);
  set_cuda_kernel("softmax_categorical_crossentropy_grad", cce_factory<GpuCceOp::softmax_grad>, done);
  set_cuda_kernel("sparse_categorical_crossentropy", scce_factory<GpuScceOp::forward>, done);
  set_cuda_kernel("sparse_categorical_crossentropy_grad", scce_factory<GpuScceOp::grad>, done);
  set_cuda_kernel("softmax_sparse_categorical_crossentropy_grad", scce_factory<GpuScceOp::softmax_grad>, done);
  set_cuda_kernel("reduce_loss", PKC_GPU_FLOAT_KERNEL(reduce_loss_kernel), done);
  set_cuda_kernel("reduce_loss_grad", PKC_GPU_FLOAT_KERNEL(reduce_loss_grad_kernel), done);
}

}  // namespace pkc::gpu
