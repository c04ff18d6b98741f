// Metric ops: per-sample metric values (accuracy family) and the native Mean accumulator
// `metric_mean_update`, which adds into a float32 [total, count] state variable in place, as
// Keras's Mean.update_state does. Results (total / count) are read once per execution.
#include <cmath>
#include <cstring>

#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

Shape drop_last(const Shape& s) { return s.empty() ? s : Shape(s.begin(), s.end() - 1); }

template <typename T>
float as_float(const void* p, int64_t i) {
  return static_cast<float>(static_cast<const T*>(p)[i]);
}
using ReadFn = float (*)(const void*, int64_t);
ReadFn reader(DType dt, const std::string& node) {
  switch (dt) {
    case DType::float32: return as_float<float>;
    case DType::float64: return as_float<double>;
    case DType::int32: return as_float<int32_t>;
    case DType::int64: return as_float<int64_t>;
    case DType::uint8: return as_float<uint8_t>;
    default: PKC_THROW(Type, node, ": unsupported dtype ", dtype_name(dt));
  }
}

inline int64_t argmax_row(const float* p, int64_t C) {
  int64_t best = 0;
  for (int64_t j = 1; j < C; ++j)
    if (p[j] > p[best]) best = j;
  return best;
}

// ---- sparse_categorical_accuracy(y_true[...], y_pred[..., C]) -> [...]
std::vector<TensorInfo> sparse_acc_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  PKC_CHECK(!c.in[1].shape.empty(), Value, c.node, ": y_pred needs a class axis");
  return {{drop_last(c.in[1].shape), DType::float32}};
}

Kernel sparse_acc_kernel(const KernelArgs& a) {
  const void* t = a.in[0].data;
  ReadFn rd = reader(a.in[0].dtype, a.node);
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t C = a.in[1].shape.back();
  int64_t rows = C ? a.in[1].numel() / C : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r)
      out[r] = rd(t, r) == static_cast<float>(argmax_row(p + r * C, C)) ? 1.f : 0.f;
  };
}

// ---- categorical_accuracy(y_true[..., C], y_pred[..., C]) -> [...]
Kernel cat_acc_kernel(const KernelArgs& a) {
  const float* t = a.in[0].ptr<float>();
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t C = a.in[1].shape.back();
  int64_t rows = C ? a.in[1].numel() / C : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r)
      out[r] = argmax_row(t + r * C, C) == argmax_row(p + r * C, C) ? 1.f : 0.f;
  };
}

// ---- binary_accuracy(y_true, y_pred; threshold) -> mean over last axis of (y_true == (y_pred > t))
Kernel bin_acc_kernel(const KernelArgs& a) {
  const float* t = a.in[0].ptr<float>();
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t D = a.in[1].shape.empty() ? 1 : a.in[1].shape.back();
  int64_t rows = D ? a.in[1].numel() / D : 0;
  float thr = static_cast<float>(a.attrs.f("threshold", 0.5));
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      float s = 0.f;
      for (int64_t j = 0; j < D; ++j) s += t[r * D + j] == (p[r * D + j] > thr ? 1.f : 0.f) ? 1.f : 0.f;
      out[r] = s / static_cast<float>(D);
    }
  };
}

std::vector<TensorInfo> same_shape_metric_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  PKC_CHECK(c.in[0].dtype == DType::float32 && c.in[1].dtype == DType::float32, Type, c.node,
            ": y_true and y_pred must be float32");
  PKC_CHECK(c.in[0].shape.size() == c.in[1].shape.size(), Value, c.node, ": y_true shape ",
            shape_str(c.in[0].shape), " does not match y_pred shape ", shape_str(c.in[1].shape));
  return {{drop_last(c.in[1].shape), DType::float32}};
}

// ---- metric_mean_update(state[2], values[, sample_weight]): in place, no outputs
std::vector<TensorInfo> mean_update_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 3);
  PKC_CHECK(c.in[0].shape == Shape{2} && c.in[0].dtype == DType::float32, Value, c.node,
            ": state must be float32 of shape (2,)");
  if (c.in.size() == 3) {
    const Shape& w = c.in[2].shape;
    const Shape& v = c.in[1].shape;
    PKC_CHECK(w.size() <= v.size(), Value, c.node, ": sample_weight shape ", shape_str(w),
              " has more dims than values ", shape_str(v));
    for (size_t i = 0; i < w.size(); ++i)
      PKC_CHECK(w[i] == v[i] || w[i] == 1 || w[i] < 0 || v[i] < 0, Value, c.node,
                ": sample_weight shape ", shape_str(w), " does not match values shape ", shape_str(v));
  }
  return {};
}

// Keras's reduce_to_samplewise_values + Mean: values are averaged down to the weights' rank q,
// multiplied by the (broadcast) weights, then averaged over dims 1..q-1 per sample;
// count adds the weights averaged the same way (or the number of samples without weights).
Kernel mean_update_kernel(const KernelArgs& a) {
  float* state = a.in[0].ptr<float>();
  const float* v = a.in[1].ptr<float>();
  const Shape vs = a.in[1].shape;
  const float* w = a.in.size() == 3 ? a.in[2].ptr<float>() : nullptr;
  const size_t q = w ? a.in[2].shape.size() : std::min<size_t>(vs.size(), 1);
  const Shape lead(vs.begin(), vs.begin() + q);
  const int64_t outer = numel(lead);
  const int64_t inner = outer ? numel(vs) / outer : 0;
  const float per_sample = q >= 1 && outer ? static_cast<float>(outer / lead[0]) : 1.f;  // numel(lead[1:])
  std::vector<int64_t> ws = w ? broadcast_strides(a.in[2].shape, lead) : std::vector<int64_t>(q, 0);
  std::vector<int64_t> vstr(q, 0);
  for (int64_t d = static_cast<int64_t>(q) - 1, st = 1; d >= 0; --d) {
    vstr[d] = st;
    st *= lead[d];
  }
  const float samples = vs.empty() ? 1.f : static_cast<float>(vs[0]);
  return [=] {
    float total = 0.f, wsum = 0.f;
    for_each_broadcast(lead, vstr, ws, [&](int64_t o, int64_t, int64_t j) {
      float s = 0.f;
      for (int64_t k = 0; k < inner; ++k) s += v[o * inner + k];
      float vbar = inner ? s / static_cast<float>(inner) : 0.f;
      float wi = w ? w[j] : 1.f;
      total += vbar * wi;
      wsum += wi;
    });
    state[0] += total / per_sample;
    state[1] += w ? wsum / per_sample : samples;
  };
}

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

PKC_REGISTER_OP({.name = "sparse_categorical_accuracy", .infer = sparse_acc_infer, .kernel = {sparse_acc_kernel}});
PKC_REGISTER_OP({.name = "categorical_accuracy", .infer = same_shape_metric_infer, .kernel = {cat_acc_kernel}});
PKC_REGISTER_OP({.name = "binary_accuracy", .infer = same_shape_metric_infer, .kernel = {bin_acc_kernel}});
PKC_REGISTER_OP({.name = "metric_mean_update", .infer = mean_update_infer, .kernel = {mean_update_kernel}, .mutates_input = 0});
PKC_REGISTER_OP({.name = "batch_size", .infer = batch_size_infer, .kernel = {batch_size_kernel}});

}  // namespace
}  // namespace pkc
