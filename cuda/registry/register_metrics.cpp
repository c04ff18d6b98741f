// cuda/registry/register_metrics.cpp — CUDA kernel factories for the metric accumulators
// (metric_mean_update, metric_sum_update, metric_assign, metric_assign_add, batch_size): the
// layout of values and sample weights is computed here exactly as csrc/ops/metrics.cpp does
// (leading_weight_strides), the kernels only fold. Per-sample metric value ops (accuracy,
// confusion, regression, ...) have no CUDA kernel yet.
#include "core/error.h"
#include "cuda/ops/metrics.cuh"
#include "cuda/registry/register_common.h"
#include "ops/elementwise.h"
#include "ops/metric_common.h"

namespace pkc::gpu {
namespace {

GpuStridedSpace space_of(const KernelArgs& a, const Shape& dims, const std::vector<int64_t>& strides) {
  PKC_CHECK(dims.size() <= static_cast<size_t>(kGpuMetricMaxRank), Value, a.node, ": rank ", dims.size(),
            " exceeds ", kGpuMetricMaxRank);
  GpuStridedSpace s;
  s.rank = static_cast<int>(dims.size());
  for (size_t d = 0; d < dims.size(); ++d) {
    s.dims[d] = dims[d];
    s.stride[d] = strides[d];
  }
  return s;
}

template <bool Mean, typename T>
Kernel accumulate_kernel(const KernelArgs& a) {
  T* state = a.in[0].ptr<T>();
  const T* v = a.in[1].ptr<T>();
  const T* w = a.in.size() == 3 ? a.in[2].ptr<T>() : nullptr;
  // metrics.cpp's weighted_layout.
  const Shape& vs = a.in[1].shape;
  const size_t q = w ? a.in[2].shape.size() : std::min<size_t>(vs.size(), 1);
  const Shape lead(vs.begin(), vs.begin() + q);
  const int64_t outer = numel(lead), inner = outer ? numel(vs) / outer : 0;
  const std::vector<int64_t> wstr = w ? leading_weight_strides(a.in[2].shape, lead) : std::vector<int64_t>(q, 0);
  const GpuStridedSpace space = space_of(a, lead, wstr);
  const double per_sample = !lead.empty() && outer ? static_cast<double>(outer / lead[0]) : 1.0;
  const double samples = vs.empty() ? 1.0 : static_cast<double>(vs[0]);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_metric_accumulate<T>(Mean, state, v, w, space, outer, inner, per_sample, samples, s); };
}
template <typename T>
Kernel mean_update_kernel(const KernelArgs& a) { return accumulate_kernel<true, T>(a); }
template <typename T>
Kernel sum_update_kernel(const KernelArgs& a) { return accumulate_kernel<false, T>(a); }

template <bool Add, typename T>
Kernel assign_kernel_t(const KernelArgs& a) {
  T* var = a.in[0].ptr<T>();
  const T* val = a.in[1].ptr<T>();
  const Shape out = a.in[0].shape;
  const GpuStridedSpace space = space_of(a, out, broadcast_strides(a.in[1].shape, out));
  const int64_t n = numel(out);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_metric_assign<T>(Add, var, val, n, space, s); };
}
template <typename T>
Kernel assign_kernel(const KernelArgs& a) { return assign_kernel_t<false, T>(a); }
template <typename T>
Kernel assign_add_kernel(const KernelArgs& a) { return assign_kernel_t<true, T>(a); }

Kernel batch_size_kernel(const KernelArgs& a) {
  float* out = a.out[0].ptr<float>();
  const float b = a.in[0].shape.empty() ? 1.f : static_cast<float>(a.in[0].shape[0]);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_write_scalar(out, b, s); };
}

}  // namespace

void register_metric_kernels(std::vector<std::string>& done) {
  set_cuda_kernel("metric_mean_update", PKC_GPU_FLOAT_KERNEL(mean_update_kernel), done);
  set_cuda_kernel("metric_sum_update", PKC_GPU_FLOAT_KERNEL(sum_update_kernel), done);
  set_cuda_kernel("metric_assign", PKC_GPU_FLOAT_KERNEL(assign_kernel), done);
  set_cuda_kernel("metric_assign_add", PKC_GPU_FLOAT_KERNEL(assign_add_kernel), done);
  set_cuda_kernel("batch_size", batch_size_kernel, done);
}

}  // namespace pkc::gpu
