// Loss ops with Keras 3 numerics: per-sample values (reduced over the last axis) and their
// gradients in one kernel each, plus `reduce_loss` (sample weights and Keras reductions).
// Sparse categorical crossentropy on a softmax output differentiates straight to the logits
// (p - onehot), skipping the softmax Jacobian; the forward value keeps Keras's clipping.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

constexpr float kEpsilon = 1e-7f;  // keras.config.epsilon()

Shape drop_last(const Shape& s) { return s.empty() ? s : Shape(s.begin(), s.end() - 1); }

// ------------------------------------------------------------ mean_squared_error(y_true, y_pred)
std::vector<TensorInfo> per_sample_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  PKC_CHECK(c.in[1].dtype == DType::float32, Type, c.node, ": y_pred must be float32");
  const Shape& t = c.in[0].shape;
  const Shape& p = c.in[1].shape;
  bool ok = t.size() == p.size();
  for (size_t i = 0; ok && i < t.size(); ++i) ok = t[i] == p[i] || t[i] < 0 || p[i] < 0;
  PKC_CHECK(ok, Value, c.node, ": y_true shape ", shape_str(t), " does not match y_pred shape ",
            shape_str(p));
  PKC_CHECK(c.in[0].dtype == DType::float32, Type, c.node, ": y_true must be float32, got ",
            dtype_name(c.in[0].dtype));
  return {{drop_last(p), DType::float32}};
}

Kernel mse_kernel(const KernelArgs& a) {
  const float* t = a.in[0].ptr<float>();
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t D = a.in[1].shape.empty() ? 1 : a.in[1].shape.back();
  int64_t rows = D ? a.in[1].numel() / D : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      float s = 0.f;
      for (int64_t j = 0; j < D; ++j) {
        float d = t[r * D + j] - p[r * D + j];
        s += d * d;
      }
      out[r] = s / static_cast<float>(D);
    }
  };
}

// inputs (dl, y_true, y_pred) -> d y_pred
Kernel mse_grad_kernel(const KernelArgs& a) {
  const float* dl = a.in[0].ptr<float>();
  const float* t = a.in[1].ptr<float>();
  const float* p = a.in[2].ptr<float>();
  float* dp = a.out[0].ptr<float>();
  int64_t D = a.in[2].shape.empty() ? 1 : a.in[2].shape.back();
  int64_t rows = D ? a.in[2].numel() / D : 0;
  return [=] {
    float k = 2.f / static_cast<float>(D);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < D; ++j) dp[r * D + j] = dl[r] * k * (p[r * D + j] - t[r * D + j]);
  };
}

void mse_grad_rule(GradCtx& g) {
  int d = g.emit1("mean_squared_error_grad", {g.out_grad(0), g.input(0), g.input(1)});
  if (g.needs_grad(1)) g.set_grad(1, d);
  if (g.needs_grad(0)) g.set_grad(0, g.emit1("negative", {d}));
}

std::vector<TensorInfo> grad_like_input2(const ShapeCtx& c) { return {c.in[2]}; }

// ------------------------------------------------- sparse_categorical_crossentropy(y_true, y_pred)
std::vector<TensorInfo> scce_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  const Shape& t = c.in[0].shape;
  const Shape& p = c.in[1].shape;
  PKC_CHECK(c.in[1].dtype == DType::float32, Type, c.node, ": y_pred must be float32");
  PKC_CHECK(!p.empty(), Value, c.node, ": y_pred must have a class axis, got shape ", shape_str(p));
  Shape want = drop_last(p);
  bool ok = t.size() == want.size();
  for (size_t i = 0; ok && i < t.size(); ++i) ok = t[i] == want[i] || t[i] < 0 || want[i] < 0;
  PKC_CHECK(ok, Value, c.node, ": labels of shape ", shape_str(t),
            " do not match predictions of shape ", shape_str(p), " (expected labels of shape ",
            shape_str(want), ")");
  return {{want, DType::float32}};
}

template <typename L>
int64_t label_at(const void* labels, int64_t i) {
  return static_cast<int64_t>(static_cast<const L*>(labels)[i]);
}

using LabelFn = int64_t (*)(const void*, int64_t);
LabelFn label_reader(DType dt, const std::string& node) {
  switch (dt) {
    case DType::int32: return label_at<int32_t>;
    case DType::int64: return label_at<int64_t>;
    case DType::float32: return label_at<float>;
    case DType::float64: return label_at<double>;
    case DType::uint8: return label_at<uint8_t>;
    default: PKC_THROW(Type, node, ": unsupported label dtype ", dtype_name(dt));
  }
}

inline int64_t checked_label(LabelFn rd, const void* labels, int64_t r, int64_t C, const std::string& node) {
  int64_t y = rd(labels, r);
  if (y < 0 || y >= C)
    PKC_THROW(Value, node, ": received a label value of ", y, " which is outside the valid range of [0, ",
              C, ")");
  return y;
}

Kernel scce_kernel(const KernelArgs& a) {
  const void* labels = a.in[0].data;
  LabelFn rd = label_reader(a.in[0].dtype, a.node);
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t C = a.in[1].shape.back();
  int64_t rows = C ? a.in[1].numel() / C : 0;
  bool from_logits = a.attrs.i("from_logits", 0);
  std::string node = a.node;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      const float* pr = p + r * C;
      int64_t y = checked_label(rd, labels, r, C, node);
      if (from_logits) {
        float m = -INFINITY;
        for (int64_t j = 0; j < C; ++j) m = std::max(m, pr[j]);
        float s = 0.f;
        for (int64_t j = 0; j < C; ++j) s += std::exp(pr[j] - m);
        out[r] = -(pr[y] - m - std::log(s));
      } else {
        float s = 0.f;
        for (int64_t j = 0; j < C; ++j) s += pr[j];
        float q = std::min(std::max(pr[y] / s, kEpsilon), 1.f - kEpsilon);
        out[r] = -std::log(q);
      }
    }
  };
}

// inputs (dl, y_true, y_pred) -> d y_pred (or d logits when from_logits)
Kernel scce_grad_kernel(const KernelArgs& a) {
  const float* dl = a.in[0].ptr<float>();
  const void* labels = a.in[1].data;
  LabelFn rd = label_reader(a.in[1].dtype, a.node);
  const float* p = a.in[2].ptr<float>();
  float* dp = a.out[0].ptr<float>();
  int64_t C = a.in[2].shape.back();
  int64_t rows = C ? a.in[2].numel() / C : 0;
  bool from_logits = a.attrs.i("from_logits", 0);
  std::string node = a.node;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      const float* pr = p + r * C;
      float* dr = dp + r * C;
      int64_t y = checked_label(rd, labels, r, C, node);
      if (from_logits) {
        float m = -INFINITY;
        for (int64_t j = 0; j < C; ++j) m = std::max(m, pr[j]);
        float s = 0.f;
        for (int64_t j = 0; j < C; ++j) s += (dr[j] = std::exp(pr[j] - m));
        float inv = 1.f / s;
        for (int64_t j = 0; j < C; ++j) dr[j] = dl[r] * (dr[j] * inv - (j == y ? 1.f : 0.f));
      } else {
        float s = 0.f;
        for (int64_t j = 0; j < C; ++j) s += pr[j];
        float q = pr[y] / s;
        bool clipped = q < kEpsilon || q > 1.f - kEpsilon;
        for (int64_t j = 0; j < C; ++j)
          dr[j] = clipped ? 0.f : dl[r] * (1.f / s - (j == y ? 1.f / pr[y] : 0.f));
      }
    }
  };
}

// inputs (dl, y_true, p) where p = softmax(z) -> d z = dl * (p - onehot), zero where clipped.
Kernel softmax_scce_grad_kernel(const KernelArgs& a) {
  const float* dl = a.in[0].ptr<float>();
  const void* labels = a.in[1].data;
  LabelFn rd = label_reader(a.in[1].dtype, a.node);
  const float* p = a.in[2].ptr<float>();
  float* dz = a.out[0].ptr<float>();
  int64_t C = a.in[2].shape.back();
  int64_t rows = C ? a.in[2].numel() / C : 0;
  std::string node = a.node;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      const float* pr = p + r * C;
      float* dr = dz + r * C;
      int64_t y = checked_label(rd, labels, r, C, node);
      float s = 0.f;
      for (int64_t j = 0; j < C; ++j) s += pr[j];
      float q = pr[y] / s;
      bool clipped = q < kEpsilon || q > 1.f - kEpsilon;
      for (int64_t j = 0; j < C; ++j) dr[j] = clipped ? 0.f : dl[r] * (pr[j] - (j == y ? 1.f : 0.f));
    }
  };
}

void scce_grad_rule(GradCtx& g) {
  int dl = g.out_grad(0), labels = g.input(0), pred = g.input(1);
  Attrs at;
  at.set("from_logits", g.attrs().i("from_logits", 0));
  bool from_logits = g.attrs().i("from_logits", 0);
  // Fused path: y_pred = softmax(z) over the last axis -> gradient straight to z.
  if (!from_logits && g.producer_op(pred) == "softmax") {
    int z = g.producer_input(pred, 0);
    if (g.value_needs_grad(z)) g.add_value_grad(z, g.emit1("softmax_sparse_categorical_crossentropy_grad", {dl, labels, pred}));
    return;
  }
  if (g.needs_grad(1)) g.set_grad(1, g.emit1("sparse_categorical_crossentropy_grad", {dl, labels, pred}, at));
}

// ------------------------------------------------------------ reduce_loss(values[, sample_weight])
// reduction: "sum_over_batch_size" (default) | "mean" | "sum" -> scalar.
std::vector<TensorInfo> reduce_loss_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 2);
  std::string red = c.attrs.s("reduction", "sum_over_batch_size");
  PKC_CHECK(red == "sum_over_batch_size" || red == "mean" || red == "sum" ||
                red == "mean_with_sample_weight",
            Value, c.node, ": invalid reduction '", red, "'");
  if (c.in.size() == 2) broadcast_shapes(c.in[1].shape, c.in[0].shape, c.node);
  return {{Shape{}, DType::float32}};
}

struct ReduceLossPlan {
  const float* v;
  const float* w;
  int64_t n;
  std::vector<int64_t> sw;  // weight strides over values' shape
  Shape vs;
  bool sum_only, by_weight;
  int64_t wn = 0;  // Keras divides by the sum of the weights as given (not broadcast)
};

float weight_sum(const ReduceLossPlan& p) {
  float s = 0.f;
  for (int64_t i = 0; i < p.wn; ++i) s += p.w[i];
  return s;
}

ReduceLossPlan reduce_plan(const KernelArgs& a, int vi, int wi) {
  ReduceLossPlan p;
  p.v = a.in[vi].ptr<float>();
  p.w = wi >= 0 && wi < static_cast<int>(a.in.size()) ? a.in[wi].ptr<float>() : nullptr;
  p.vs = a.in[vi].shape;
  p.n = a.in[vi].numel();
  if (p.w) p.sw = broadcast_strides(a.in[wi].shape, p.vs);
  std::string red = a.attrs.s("reduction", "sum_over_batch_size");
  p.sum_only = red == "sum";
  p.by_weight = red == "mean_with_sample_weight" && p.w;
  p.wn = p.w ? a.in[wi].numel() : 0;
  return p;
}

Kernel reduce_loss_kernel(const KernelArgs& a) {
  ReduceLossPlan p = reduce_plan(a, 0, 1);
  float* out = a.out[0].ptr<float>();
  return [=] {
    float s = 0.f, wsum = 0.f;
    if (!p.w) {
      for (int64_t i = 0; i < p.n; ++i) s += p.v[i];
    } else {
      std::vector<int64_t> zero(p.vs.size(), 0);
      for_each_broadcast(p.vs, zero, p.sw, [&](int64_t o, int64_t, int64_t j) { s += p.v[o] * p.w[j]; });
      wsum = weight_sum(p);
    }
    float div = p.sum_only ? 1.f : (p.by_weight ? wsum : static_cast<float>(p.n));
    *out = p.sum_only ? s : (div == 0.f ? 0.f : s / div);
  };
}

// inputs (dl, values[, sample_weight]) -> d values
Kernel reduce_loss_grad_kernel(const KernelArgs& a) {
  const float* dl = a.in[0].ptr<float>();
  ReduceLossPlan p = reduce_plan(a, 1, 2);
  float* dv = a.out[0].ptr<float>();
  return [=] {
    float wsum = p.w && p.by_weight ? weight_sum(p) : 0.f;
    float div = p.sum_only ? 1.f : (p.by_weight ? wsum : static_cast<float>(p.n));
    float k = div == 0.f ? 0.f : *dl / div;
    if (!p.w) {
      for (int64_t i = 0; i < p.n; ++i) dv[i] = k;
    } else {
      std::vector<int64_t> zero(p.vs.size(), 0);
      for_each_broadcast(p.vs, zero, p.sw, [&](int64_t o, int64_t, int64_t j) { dv[o] = k * p.w[j]; });
    }
  };
}

void reduce_loss_grad_rule(GradCtx& g) {
  Attrs at;
  at.set("reduction", g.attrs().s("reduction", "sum_over_batch_size"));
  std::vector<int> ins = {g.out_grad(0), g.input(0)};
  if (g.num_inputs() == 2) ins.push_back(g.input(1));
  if (g.needs_grad(0)) g.set_grad(0, g.emit1("reduce_loss_grad", ins, at));
}

std::vector<TensorInfo> like_input1(const ShapeCtx& c) { return {{c.in[1].shape, DType::float32}}; }

PKC_REGISTER_OP({.name = "mean_squared_error", .infer = per_sample_infer, .grad = mse_grad_rule, .kernel = {mse_kernel}});
PKC_REGISTER_OP({.name = "mean_squared_error_grad", .infer = grad_like_input2, .kernel = {mse_grad_kernel}});
PKC_REGISTER_OP({.name = "sparse_categorical_crossentropy", .infer = scce_infer, .grad = scce_grad_rule, .kernel = {scce_kernel}});
PKC_REGISTER_OP({.name = "sparse_categorical_crossentropy_grad", .infer = grad_like_input2, .kernel = {scce_grad_kernel}});
PKC_REGISTER_OP({.name = "softmax_sparse_categorical_crossentropy_grad", .infer = grad_like_input2, .kernel = {softmax_scce_grad_kernel}});
PKC_REGISTER_OP({.name = "reduce_loss", .infer = reduce_loss_infer, .grad = reduce_loss_grad_rule, .kernel = {reduce_loss_kernel}});
PKC_REGISTER_OP({.name = "reduce_loss_grad", .infer = like_input1, .kernel = {reduce_loss_grad_kernel}});

}  // namespace
}  // namespace pkc
