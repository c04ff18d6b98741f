// Loss plumbing shared by every loss: the helpers declared in losses.h, `reduce_loss` (sample
// weights and Keras's reductions, one pass), `ignore_class_mask` (Keras's apply_mask for
// SparseCategoricalCrossentropy(ignore_class=...)) and `class_weight_to_sample_weight`.
// The per-sample loss values live in losses_elementwise.cpp, losses_categorical.cpp and
// losses_sparse.cpp; nothing here knows a loss formula.
#include "ops/activations.h"
#include "ops/losses.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace loss {

AxisGeom axis_geom(const Shape& s, int64_t axis, const std::string& node) {
  PKC_CHECK(!s.empty(), Value, node, ": y_pred must have rank >= 1, got shape ", shape_str(s));
  AxisGeom g;
  g.axis = normalize_axis(axis, s.size(), node.c_str());
  g.outer = 1;
  for (int d = 0; d < g.axis; ++d) g.outer *= s[d];
  g.C = s[g.axis];
  for (size_t d = g.axis + 1; d < s.size(); ++d) g.inner *= s[d];
  return g;
}

Shape drop_axis(const Shape& s, int axis) {
  Shape out = s;
  out.erase(out.begin() + axis);
  return out;
}

static bool dims_match(const Shape& a, const Shape& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && a[i] >= 0 && b[i] >= 0) return false;
  return true;
}

std::vector<TensorInfo> paired_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = check_floating(c, 1);
  PKC_CHECK(c.in[0].dtype == dt, Type, c.node, ": y_true dtype ", dtype_name(c.in[0].dtype),
            " differs from y_pred dtype ", dtype_name(dt), " (cast y_true first)");
  const Shape& t = c.in[0].shape;
  const Shape& p = c.in[1].shape;
  PKC_CHECK(dims_match(t, p), Value, c.node, ": y_true shape ", shape_str(t),
            " does not match y_pred shape ", shape_str(p));
  PKC_CHECK(!p.empty(), Value, c.node, ": y_pred must have rank >= 1, got shape ", shape_str(p));
  int ax = normalize_axis(c.attrs.i("axis", -1), p.size(), c.node.c_str());
  return {{drop_axis(p, ax), dt}};
}

std::vector<TensorInfo> paired_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 3);
  return {c.in[2]};
}

int grad_in_dtype_of(GradCtx& g, int dl, int like) {
  DType want = g.info(like).dtype;
  if (g.info(dl).dtype == want) return dl;
  Attrs at;
  at.set("dtype", std::string(dtype_name(want)));
  return g.emit1("cast", {dl}, at);
}

void emit_paired_grads(GradCtx& g, const std::string& grad_op, bool skip_pred) {
  int dl = -1;
  for (int wrt = 0; wrt < 2; ++wrt) {
    if (!g.needs_grad(wrt) || (wrt == 1 && skip_pred)) continue;
    if (dl < 0) dl = grad_in_dtype_of(g, g.out_grad(0), g.input(1));
    Attrs at = g.attrs();
    at.set("wrt", int64_t(wrt));
    g.set_grad(wrt, g.emit1(grad_op, {dl, g.input(0), g.input(1)}, at));
  }
}

bool fed_by_last_axis_softmax(GradCtx& g, int pred, int loss_axis) {
  if (!g.fusion_enabled() || g.producer_op(pred) != "softmax") return false;
  size_t rank = g.info(pred).shape.size();
  int ax = normalize_axis(loss_axis, rank, "loss");
  return ax == static_cast<int>(rank) - 1 && softmax_reduces_last_axis_only(g.producer_attrs(pred), rank);
}

}  // namespace loss

namespace {

// ------------------------------------------------------------ reduce_loss(values[, sample_weight])
// reduction: "sum_over_batch_size" (default) | "mean" | "sum" | "mean_with_sample_weight" -> scalar.
// As Keras: sum(values * weights) over their broadcast shape, divided (divide_no_nan) by that
// shape's size, or by the sum of the weights as given for "mean_with_sample_weight".
std::vector<TensorInfo> reduce_loss_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 2);
  DType dt = check_floating(c, 0);
  std::string red = c.attrs.s("reduction", "sum_over_batch_size");
  PKC_CHECK(red == "sum_over_batch_size" || red == "mean" || red == "sum" ||
                red == "mean_with_sample_weight",
            Value, c.node, ": invalid reduction '", red, "'");
  if (c.in.size() == 2) {
    PKC_CHECK(c.in[1].dtype == dt, Type, c.node, ": sample_weight dtype ", dtype_name(c.in[1].dtype),
              " differs from the loss dtype ", dtype_name(dt));
    broadcast_shapes(c.in[1].shape, c.in[0].shape, c.node);
  }
  return {{Shape{}, dt}};
}

template <typename T>
struct ReducePlan {
  const T* v = nullptr;
  const T* w = nullptr;
  Shape bs;                          // broadcast shape of values and weights
  std::vector<int64_t> sv, sw;       // their strides over bs
  int64_t n = 0, wn = 0;
  bool plain = true;                 // same shapes (or no weights): flat loops
  bool sum_only = false, by_weight = false;

  T divisor(T wsum) const {
    return sum_only ? T(1) : (by_weight ? wsum : static_cast<T>(n));
  }
  T weight_sum() const {
    T s = 0;
    for (int64_t i = 0; i < wn; ++i) s += w[i];
    return s;
  }
};

template <typename T>
ReducePlan<T> reduce_plan(const KernelArgs& a, int vi, int wi) {
  ReducePlan<T> p;
  const Tensor& vt = a.in[vi];
  p.v = vt.ptr<T>();
  bool has_w = wi < static_cast<int>(a.in.size());
  p.bs = vt.shape;
  if (has_w) {
    const Tensor& wt = a.in[wi];
    p.w = wt.ptr<T>();
    p.wn = wt.numel();
    p.bs = broadcast_shapes(wt.shape, vt.shape, a.node);
    p.plain = wt.shape == vt.shape;
    p.sv = broadcast_strides(vt.shape, p.bs);
    p.sw = broadcast_strides(wt.shape, p.bs);
  }
  p.n = numel(p.bs);
  std::string red = a.attrs.s("reduction", "sum_over_batch_size");
  p.sum_only = red == "sum";
  p.by_weight = red == "mean_with_sample_weight" && has_w;
  return p;
}

template <typename T>
Kernel reduce_loss_kernel(const KernelArgs& a) {
  ReducePlan<T> p = reduce_plan<T>(a, 0, 1);
  T* out = a.out[0].ptr<T>();
  return [=] {
    T s = 0;
    if (!p.w) {
      for (int64_t i = 0; i < p.n; ++i) s += p.v[i];
    } else if (p.plain) {
      for (int64_t i = 0; i < p.n; ++i) s += p.v[i] * p.w[i];
    } else {
      for_each_broadcast(p.bs, p.sv, p.sw, [&](int64_t, int64_t iv, int64_t iw) { s += p.v[iv] * p.w[iw]; });
    }
    T div = p.divisor(p.by_weight ? p.weight_sum() : T(0));
    *out = div == T(0) ? T(0) : (p.sum_only ? s : s / div);
  };
}

// inputs (dl, values[, sample_weight]) -> d values
template <typename T>
Kernel reduce_loss_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  ReducePlan<T> p = reduce_plan<T>(a, 1, 2);
  T* dv = a.out[0].ptr<T>();
  int64_t vn = a.in[1].numel();
  return [=] {
    T div = p.divisor(p.by_weight ? p.weight_sum() : T(0));
    T k = div == T(0) ? T(0) : *dl / div;
    if (!p.w) {
      for (int64_t i = 0; i < p.n; ++i) dv[i] = k;
    } else if (p.plain) {
      for (int64_t i = 0; i < p.n; ++i) dv[i] = k * p.w[i];
    } else {
      std::fill(dv, dv + vn, T(0));  // values broadcast against the weights: accumulate
      for_each_broadcast(p.bs, p.sv, p.sw, [&](int64_t, int64_t iv, int64_t iw) { dv[iv] += k * p.w[iw]; });
    }
  };
}

void reduce_loss_grad_rule(GradCtx& g) {
  Attrs at;
  at.set("reduction", g.attrs().s("reduction", "sum_over_batch_size"));
  if (!g.needs_grad(0)) return;
  std::vector<int> ins = {loss::grad_in_dtype_of(g, g.out_grad(0), g.input(0)), g.input(0)};
  if (g.num_inputs() == 2) ins.push_back(g.input(1));
  g.set_grad(0, g.emit1("reduce_loss_grad", ins, at));
}

std::vector<TensorInfo> like_input1(const ShapeCtx& c) { return {c.in[1]}; }

// ----------------------------------------------------------------- label helpers (int or float)
template <typename L>
double label_as_double(const void* labels, int64_t i) {
  return static_cast<double>(static_cast<const L*>(labels)[i]);
}
using LabelFn = double (*)(const void*, int64_t);
LabelFn label_reader(DType dt, const std::string& node) {
  switch (dt) {
    case DType::int32: return label_as_double<int32_t>;
    case DType::int64: return label_as_double<int64_t>;
    case DType::float32: return label_as_double<float>;
    case DType::float64: return label_as_double<double>;
    case DType::uint8: return label_as_double<uint8_t>;
    default: PKC_THROW(Type, node, ": unsupported label dtype ", dtype_name(dt));
  }
}

DType out_dtype(const ShapeCtx& c) {
  std::string d = c.attrs.s("dtype", "float32");
  PKC_CHECK(d == "float32" || d == "float64", Type, c.node, ": dtype must be float32 or float64, got ", d);
  return d == "float64" ? DType::float64 : DType::float32;
}

// ------------------------------------------------------ ignore_class_mask(labels) -> weights
// Keras's apply_mask for a loss whose values are masked where labels == ignore_class:
// "sum_over_batch_size"/"mean" weight valid entries by total/valid (0 when none is valid) so the
// reduction averages over valid entries only; other reductions get the 0/1 mask.
std::vector<TensorInfo> ignore_class_mask_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  PKC_CHECK(c.attrs.has("ignore_class"), Value, c.node, ": attribute 'ignore_class' is required");
  label_reader(c.in[0].dtype, c.node);
  return {{c.in[0].shape, out_dtype(c)}};
}

template <typename T>
Kernel ignore_class_mask_kernel(const KernelArgs& a) {
  const void* labels = a.in[0].data;
  LabelFn rd = label_reader(a.in[0].dtype, a.node);
  T* w = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  double ignore = static_cast<double>(a.attrs.i("ignore_class", 0));
  std::string red = a.attrs.s("reduction", "sum_over_batch_size");
  bool scaled = red == "sum_over_batch_size" || red == "mean";
  return [=] {
    int64_t valid = 0;
    for (int64_t i = 0; i < n; ++i) valid += rd(labels, i) != ignore;
    T on = scaled ? (valid ? static_cast<T>(n) / static_cast<T>(valid) : T(0)) : T(1);
    for (int64_t i = 0; i < n; ++i) w[i] = rd(labels, i) != ignore ? on : T(0);
  };
}

// ------------------------------------- class_weight_to_sample_weight(y_true) -> per-sample weights
// Keras's class_weight handling: one-hot targets (last dim > 1) -> argmax, a last dim of 1 is
// squeezed, labels are rounded half-to-even; weight = table[class], 1.0 for classes the table
// does not hold. attrs: class_weight (dense table indexed by class id), dtype.
std::vector<TensorInfo> class_weight_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  label_reader(c.in[0].dtype, c.node);
  const Shape& s = c.in[0].shape;
  PKC_CHECK(!s.empty(), Value, c.node, ": targets must have rank >= 1 for class_weight, got shape ",
            shape_str(s));
  Shape out = s.size() > 1 ? Shape(s.begin(), s.end() - 1) : s;
  return {{out, out_dtype(c)}};
}

template <typename T>
Kernel class_weight_kernel(const KernelArgs& a) {
  const void* y = a.in[0].data;
  LabelFn rd = label_reader(a.in[0].dtype, a.node);
  T* w = a.out[0].ptr<T>();
  const Shape& s = a.in[0].shape;
  int64_t K = s.size() > 1 ? s.back() : 1;  // entries per sample: one-hot width, or 1
  int64_t rows = a.out[0].numel();
  std::vector<double> table = a.attrs.floats("class_weight");
  std::vector<T> tab(table.begin(), table.end());
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      int64_t cls;
      if (K == 1) {
        cls = static_cast<int64_t>(std::nearbyint(rd(y, r)));
      } else {
        cls = 0;  // argmax, first maximum wins as in NumPy
        double best = rd(y, r * K);
        for (int64_t j = 1; j < K; ++j) {
          double v = rd(y, r * K + j);
          if (v > best) best = v, cls = j;
        }
      }
      w[r] = cls >= 0 && cls < static_cast<int64_t>(tab.size()) ? tab[cls] : T(1);
    }
  };
}

PKC_REGISTER_OP({.name = "reduce_loss", .infer = reduce_loss_infer, .grad = reduce_loss_grad_rule, .kernel = {PKC_FLOAT_KERNEL(reduce_loss_kernel)}});
PKC_REGISTER_OP({.name = "reduce_loss_grad", .infer = like_input1, .kernel = {PKC_FLOAT_KERNEL(reduce_loss_grad_kernel)}});
PKC_REGISTER_OP({.name = "ignore_class_mask", .infer = ignore_class_mask_infer, .kernel = {PKC_FLOAT_KERNEL(ignore_class_mask_kernel)}});
PKC_REGISTER_OP({.name = "class_weight_to_sample_weight", .infer = class_weight_infer, .kernel = {PKC_FLOAT_KERNEL(class_weight_kernel)}});

}  // namespace
}  // namespace pkc
