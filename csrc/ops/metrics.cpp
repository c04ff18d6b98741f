// Metric accumulators: ops that add a batch into a metric's state variable in place
// (`mutates_input = 0`), so a compiled step loop updates metrics with no Python. Mean/Sum follow
// Keras's reduce_to_samplewise_values; metric_assign(_add) back custom metrics' Variable updates.
// Per-sample metric values live in the family files (accuracy_, confusion_, regression_...).
#include <cmath>
#include <cstring>

#include "ops/elementwise.h"
#include "ops/metric_common.h"

namespace pkc {
namespace {

// ---- metric_mean_update(state[2], values[, sample_weight]): in place, no outputs
// ---- metric_sum_update(state[] or [1], values[, sample_weight]): in place, no outputs
std::vector<TensorInfo> accumulate_infer(const ShapeCtx& c, const Shape& state_shape) {
  check_num_inputs(c, 2, 3);
  DType dt = check_floating(c, 0);
  PKC_CHECK(c.in[0].shape == state_shape || (state_shape.empty() && c.in[0].shape == Shape{1}), Value, c.node,
            ": state must have shape ", shape_str(state_shape), ", got ", shape_str(c.in[0].shape));
  PKC_CHECK(c.in[1].dtype == dt, Type, c.node, ": values must be ", dtype_name(dt), " like the state, got ",
            dtype_name(c.in[1].dtype));
  if (c.in.size() == 3) {
    PKC_CHECK(c.in[2].dtype == dt, Type, c.node, ": sample_weight must be ", dtype_name(dt), ", got ",
              dtype_name(c.in[2].dtype));
    check_weight_broadcast(c.in[2].shape, c.in[1].shape, c.node);
  }
  return {};
}
std::vector<TensorInfo> mean_update_infer(const ShapeCtx& c) { return accumulate_infer(c, Shape{2}); }
std::vector<TensorInfo> sum_update_infer(const ShapeCtx& c) { return accumulate_infer(c, Shape{}); }

// The values laid out as [outer = numel(lead), inner], lead = the first q dims (q = weight rank,
// or 1 without weights), with the weights' strides over lead. Keras averages (Mean) or sums
// (Sum) the inner block per lead element, multiplies by the broadcast weight, then reduces.
struct WeightedLayout {
  Shape lead;
  int64_t outer = 0, inner = 0;
  std::vector<int64_t> vstr, wstr;
};

WeightedLayout weighted_layout(const KernelArgs& a) {
  WeightedLayout L;
  const Shape& vs = a.in[1].shape;
  const bool has_w = a.in.size() == 3;
  const size_t q = has_w ? a.in[2].shape.size() : std::min<size_t>(vs.size(), 1);
  L.lead = Shape(vs.begin(), vs.begin() + q);
  L.outer = numel(L.lead);
  L.inner = L.outer ? numel(vs) / L.outer : 0;
  L.wstr = has_w ? leading_weight_strides(a.in[2].shape, L.lead) : std::vector<int64_t>(q, 0);
  L.vstr.assign(q, 0);
  for (int64_t d = static_cast<int64_t>(q) - 1, st = 1; d >= 0; --d) {
    L.vstr[d] = st;
    st *= L.lead[d];
  }
  return L;
}

// Mean: total += sum_s mean_{dims 1..}(vbar * w), count += sum_s mean_{dims 1..}(w) (or the
// number of samples without weights); vbar = values averaged down to the weights' rank.
template <typename T>
Kernel mean_update_kernel(const KernelArgs& a) {
  T* state = a.in[0].ptr<T>();
  const T* v = a.in[1].ptr<T>();
  const T* w = a.in.size() == 3 ? a.in[2].ptr<T>() : nullptr;
  const WeightedLayout L = weighted_layout(a);
  const Shape& vs = a.in[1].shape;
  const double per_sample = !L.lead.empty() && L.outer ? static_cast<double>(L.outer / L.lead[0]) : 1.0;
  const double samples = vs.empty() ? 1.0 : static_cast<double>(vs[0]);
  return [=] {
    double total = 0.0, wsum = 0.0;
    for_each_broadcast(L.lead, L.vstr, L.wstr, [&](int64_t o, int64_t, int64_t j) {
      double s = 0.0;
      for (int64_t k = 0; k < L.inner; ++k) s += v[o * L.inner + k];
      double vbar = L.inner ? s / static_cast<double>(L.inner) : 0.0;
      double wi = w ? static_cast<double>(w[j]) : 1.0;
      total += vbar * wi;
      wsum += wi;
    });
    state[0] += static_cast<T>(total / per_sample);
    state[1] += static_cast<T>(w ? wsum / per_sample : samples);
  };
}

// Sum: total += sum over all values of v * (broadcast) w.
template <typename T>
Kernel sum_update_kernel(const KernelArgs& a) {
  T* state = a.in[0].ptr<T>();
  const T* v = a.in[1].ptr<T>();
  const T* w = a.in.size() == 3 ? a.in[2].ptr<T>() : nullptr;
  const WeightedLayout L = weighted_layout(a);
  return [=] {
    double total = 0.0;
    for_each_broadcast(L.lead, L.vstr, L.wstr, [&](int64_t o, int64_t, int64_t j) {
      double s = 0.0;
      for (int64_t k = 0; k < L.inner; ++k) s += v[o * L.inner + k];
      total += s * (w ? static_cast<double>(w[j]) : 1.0);
    });
    state[0] += static_cast<T>(total);
  };
}

// ---- metric_assign(var, value) / metric_assign_add(var, value): in place, value broadcasts
// (NumPy rules) onto the variable's shape. They let custom metrics' `var.assign_add(...)` on
// traced tensors become graph ops.
std::vector<TensorInfo> assign_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = common_floating(c, {0, 1});
  Shape b = broadcast_shapes(c.in[0].shape, c.in[1].shape, c.node);
  PKC_CHECK(b == c.in[0].shape, Value, c.node, ": cannot assign a value of shape ", shape_str(c.in[1].shape),
            " to a variable of shape ", shape_str(c.in[0].shape));
  (void)dt;
  return {};
}

template <typename T, bool Add>
Kernel assign_kernel_t(const KernelArgs& a) {
  T* var = a.in[0].ptr<T>();
  const T* val = a.in[1].ptr<T>();
  const Shape out = a.in[0].shape;
  const std::vector<int64_t> sv = broadcast_strides(a.in[1].shape, out);
  const std::vector<int64_t> so = broadcast_strides(out, out);
  return [=] {
    for_each_broadcast(out, so, sv, [&](int64_t o, int64_t, int64_t j) { var[o] = Add ? var[o] + val[j] : val[j]; });
  };
}
template <typename T>
Kernel assign_kernel(const KernelArgs& a) { return assign_kernel_t<T, false>(a); }
template <typename T>
Kernel assign_add_kernel(const KernelArgs& a) { return assign_kernel_t<T, true>(a); }

// ---- batch_size(ref) -> scalar float: rows of ref (the loss tracker weights by batch size)
std::vector<TensorInfo> batch_size_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  return {{Shape{}, DType::float32}};
}

Kernel batch_size_kernel(const KernelArgs& a) {
  float* out = a.out[0].ptr<float>();
  float b = a.in[0].shape.empty() ? 1.f : static_cast<float>(a.in[0].shape[0]);
  return [=] { *out = b; };
}

PKC_REGISTER_OP({.name = "metric_mean_update", .infer = mean_update_infer, .kernel = {PKC_FLOAT_KERNEL(mean_update_kernel)}, .mutates_input = 0});
PKC_REGISTER_OP({.name = "metric_sum_update", .infer = sum_update_infer, .kernel = {PKC_FLOAT_KERNEL(sum_update_kernel)}, .mutates_input = 0});
PKC_REGISTER_OP({.name = "metric_assign", .infer = assign_infer, .kernel = {PKC_FLOAT_KERNEL(assign_kernel)}, .mutates_input = 0});
PKC_REGISTER_OP({.name = "metric_assign_add", .infer = assign_infer, .kernel = {PKC_FLOAT_KERNEL(assign_add_kernel)}, .mutates_input = 0});
PKC_REGISTER_OP({.name = "batch_size", .infer = batch_size_infer, .kernel = {batch_size_kernel}});

}  // namespace
}  // namespace pkc
