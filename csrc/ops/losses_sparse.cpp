// sparse_categorical_crossentropy(labels, y_pred) over the last axis, Keras 3 / JAX numerics:
// from logits via log-softmax, from probabilities renormalised and clipped to [eps, 1 - eps].
// attr ignore_class: rows with that label give 0 and no gradient (Keras's masking of the
// values; the reduction's mask weights are `ignore_class_mask` in losses.cpp). On a softmax
// output the gradient goes straight to the logits (p - onehot, zero where clipped).
#include <algorithm>
#include <cmath>

#include "ops/losses.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

std::vector<TensorInfo> scce_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = check_floating(c, 1);
  const Shape& t = c.in[0].shape;
  const Shape& p = c.in[1].shape;
  PKC_CHECK(!p.empty(), Value, c.node, ": y_pred must have a class axis, got shape ", shape_str(p));
  PKC_CHECK(c.attrs.i("axis", -1) == -1 || c.attrs.i("axis", -1) == static_cast<int64_t>(p.size()) - 1, Value,
            c.node, ": sparse_categorical_crossentropy supports the last axis only");
  Shape want = loss::drop_axis(p, static_cast<int>(p.size()) - 1);
  bool ok = t.size() == want.size();
  for (size_t i = 0; ok && i < t.size(); ++i) ok = t[i] == want[i] || t[i] < 0 || want[i] < 0;
  PKC_CHECK(ok, Value, c.node, ": labels of shape ", shape_str(t), " do not match predictions of shape ",
            shape_str(p), " (expected labels of shape ", shape_str(want), ")");
  return {{want, dt}};
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

// What every scce kernel reads: labels, geometry and the ignored class (if any).
struct Labels {
  const void* data;
  LabelFn rd;
  int64_t C, rows;
  bool has_ignore;
  int64_t ignore;
  std::string node;

  // The label of row r, or -1 for an ignored row; out-of-range labels raise ValueError.
  int64_t at(int64_t r) const {
    int64_t y = rd(data, r);
    if (has_ignore && y == ignore) return -1;
    if (y < 0 || y >= C)
      PKC_THROW(Value, node, ": received a label value of ", y, " which is outside the valid range of [0, ", C, ")");
    return y;
  }
};
Labels labels_of(const KernelArgs& a, int li, int pi) {
  int64_t C = a.in[pi].shape.back();
  return {a.in[li].data, label_reader(a.in[li].dtype, a.node), C, C ? a.in[pi].numel() / C : 0,
          a.attrs.has("ignore_class"), a.attrs.i("ignore_class", 0), a.node};
}

template <typename T>
Kernel scce_kernel(const KernelArgs& a) {
  Labels L = labels_of(a, 0, 1);
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  bool from_logits = a.attrs.i("from_logits", 0);
  T lo = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  int64_t C = L.C;
  return [=] {
    for (int64_t r = 0; r < L.rows; ++r) {
      const T* pr = p + r * C;
      int64_t y = L.at(r);
      if (y < 0) {
        out[r] = T(0);
        continue;
      }
      if (from_logits) {
        T m = -INFINITY;
        for (int64_t j = 0; j < C; ++j) m = std::max(m, pr[j]);
        T s = 0;
        for (int64_t j = 0; j < C; ++j) s += std::exp(pr[j] - m);
        out[r] = -((pr[y] - m) - std::log(s));
      } else {
        T s = 0;
        for (int64_t j = 0; j < C; ++j) s += pr[j];
        out[r] = -std::log(std::min(std::max(pr[y] / s, lo), hi));
      }
    }
  };
}

// inputs (dl, labels, y_pred) -> d y_pred (d logits when from_logits)
template <typename T>
Kernel scce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  Labels L = labels_of(a, 1, 2);
  const T* p = a.in[2].ptr<T>();
  T* dp = a.out[0].ptr<T>();
  bool from_logits = a.attrs.i("from_logits", 0);
  T lo = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  int64_t C = L.C;
  return [=] {
    for (int64_t r = 0; r < L.rows; ++r) {
      const T* pr = p + r * C;
      T* dr = dp + r * C;
      int64_t y = L.at(r);
      if (y < 0) {
        std::fill(dr, dr + C, T(0));
        continue;
      }
      if (from_logits) {
        T m = -INFINITY;
        for (int64_t j = 0; j < C; ++j) m = std::max(m, pr[j]);
        T s = 0;
        for (int64_t j = 0; j < C; ++j) s += (dr[j] = std::exp(pr[j] - m));
        for (int64_t j = 0; j < C; ++j) dr[j] = dl[r] * (dr[j] / s - (j == y ? T(1) : T(0)));
      } else {
        T s = 0;
        for (int64_t j = 0; j < C; ++j) s += pr[j];
        T q = pr[y] / s;
        bool clipped = q < lo || q > hi;
        for (int64_t j = 0; j < C; ++j)
          dr[j] = clipped ? T(0) : dl[r] * (T(1) / s - (j == y ? T(1) / pr[y] : T(0)));
      }
    }
  };
}

// inputs (dl, labels, p) where p = softmax(z) -> d z = dl * (p - onehot), zero where clipped.
template <typename T>
Kernel softmax_scce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  Labels L = labels_of(a, 1, 2);
  const T* p = a.in[2].ptr<T>();
  T* dz = a.out[0].ptr<T>();
  T lo = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  int64_t C = L.C;
  return [=] {
    for (int64_t r = 0; r < L.rows; ++r) {
      const T* pr = p + r * C;
      T* dr = dz + r * C;
      int64_t y = L.at(r);
      T s = 0;
      for (int64_t j = 0; j < C; ++j) s += pr[j];
      T q = y < 0 ? T(0) : pr[y] / s;
      bool off = y < 0 || q < lo || q > hi;
      // exact chain rule: p_j / s - onehot (s = 1 up to rounding for a softmax output)
      for (int64_t j = 0; j < C; ++j) dr[j] = off ? T(0) : dl[r] * (pr[j] / s - (j == y ? T(1) : T(0)));
    }
  };
}

void scce_grad_rule(GradCtx& g) {
  int labels = g.input(0), pred = g.input(1);
  int dl = loss::grad_in_dtype_of(g, g.out_grad(0), pred);
  bool from_logits = g.attrs().i("from_logits", 0);
  if (!from_logits && loss::fed_by_last_axis_softmax(g, pred, -1)) {
    int z = g.producer_input(pred, 0);
    if (g.value_needs_grad(z))
      g.add_value_grad(z, g.emit1("softmax_sparse_categorical_crossentropy_grad", {dl, labels, pred}, g.attrs()));
    return;
  }
  if (g.needs_grad(1)) g.set_grad(1, g.emit1("sparse_categorical_crossentropy_grad", {dl, labels, pred}, g.attrs()));
}

PKC_REGISTER_OP({.name = "sparse_categorical_crossentropy", .infer = scce_infer, .grad = scce_grad_rule, .kernel = {PKC_FLOAT_KERNEL(scce_kernel)}});
PKC_REGISTER_OP({.name = "sparse_categorical_crossentropy_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(scce_grad_kernel)}});
PKC_REGISTER_OP({.name = "softmax_sparse_categorical_crossentropy_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(softmax_scce_grad_kernel)}});

}  // namespace
}  // namespace pkc
