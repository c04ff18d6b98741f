// softmax and log_softmax normalising over any set of axes (attr "axes": list of ints; without
// it, the last axis, which the legacy int attr "axis" may name), with gradient ops taking
// (dy, y). The kernel factory turns the axes into element offsets; closures only loop.
#include <algorithm>
#include <cmath>

#include "ops/activations.h"
#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {

std::vector<int> softmax_axes(const Attrs& attrs, size_t rank, const std::string& node) {
  std::vector<int64_t> raw = attrs.has("axes") ? attrs.ints("axes") : std::vector<int64_t>{attrs.i("axis", -1)};
  std::vector<int> axes;
  for (int64_t a : raw) axes.push_back(normalize_axis(a, rank, node.c_str()));
  std::sort(axes.begin(), axes.end());
  PKC_CHECK(std::adjacent_find(axes.begin(), axes.end()) == axes.end(), Value, node,
            ": repeated axis in softmax axes");
  return axes;
}

bool softmax_reduces_last_axis_only(const Attrs& attrs, size_t rank) {
  if (rank == 0) return false;
  std::vector<int> axes = softmax_axes(attrs, rank, "softmax");
  return axes.size() == 1 && axes[0] == static_cast<int>(rank) - 1;
}

namespace {

// Offsets of every element of the sub-grid spanned by `dims` (row-major over `shape`).
std::vector<int64_t> grid_offsets(const Shape& shape, const std::vector<int>& dims) {
  std::vector<int64_t> stride(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) stride[d] = stride[d + 1] * shape[d + 1];
  std::vector<int64_t> out{0};
  for (int d : dims) {  // outer dims first so offsets come out in memory order
    std::vector<int64_t> next;
    next.reserve(out.size() * shape[d]);
    for (int64_t base : out)
      for (int64_t j = 0; j < shape[d]; ++j) next.push_back(base + j * stride[d]);
    out.swap(next);
  }
  return out;
}

// rows: one base offset per independent slice; cols: offsets within a slice.
struct Slices {
  std::vector<int64_t> rows, cols;
  bool contiguous = false;  // cols == 0..n-1: a slice is a plain row
};

Slices make_slices(const Tensor& t, const Attrs& attrs, const std::string& node) {
  const Shape& shape = t.shape;
  std::vector<int> red = softmax_axes(attrs, shape.size(), node), keep;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d)
    if (!std::binary_search(red.begin(), red.end(), d)) keep.push_back(d);
  Slices s;
  s.rows = grid_offsets(shape, keep);
  s.cols = grid_offsets(shape, red);
  s.contiguous = true;
  for (size_t j = 0; j < s.cols.size(); ++j) s.contiguous = s.contiguous && s.cols[j] == static_cast<int64_t>(j);
  if (numel(shape) == 0) s.rows.clear();
  return s;
}

// Calls body(at, n) per slice, where at(j) is the offset of the slice's j-th element; the
// contiguous case gets its own instantiation so plain rows index directly.
template <typename F>
void for_slices(const Slices& s, F&& body) {
  const int64_t n = static_cast<int64_t>(s.cols.size());
  const int64_t* co = s.cols.data();
  for (int64_t base : s.rows) {
    if (s.contiguous)
      body([base](int64_t j) { return base + j; }, n);
    else
      body([base, co](int64_t j) { return base + co[j]; }, n);
  }
}

template <typename T, typename At>
T slice_max(const T* x, int64_t n, const At& at) {
  T m = -INFINITY;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, x[at(j)]);
  return m;
}

std::vector<TensorInfo> softmax_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  check_floating(c, 0);
  size_t rank = c.in[0].shape.size();
  PKC_CHECK(rank > 0 || (c.attrs.has("axes") && c.attrs.ints("axes").empty()), Value, c.node,
            ": softmax needs an input of rank >= 1, got shape ", shape_str(c.in[0].shape));
  softmax_axes(c.attrs, rank, c.node);
  // The legacy int attr "axis" keeps its original last-axis-only contract; "axes" is general.
  if (!c.attrs.has("axes"))
    PKC_CHECK(softmax_reduces_last_axis_only(c.attrs, rank), Value, c.node,
              ": attr 'axis' must name the last axis; pass 'axes' to normalise over other axes");
  return {c.in[0]};
}

std::vector<TensorInfo> softmax_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  common_floating(c, {0, 1});
  PKC_CHECK(c.in[0].shape == c.in[1].shape, Value, c.node, ": gradient shape ", shape_str(c.in[0].shape),
            " does not match output shape ", shape_str(c.in[1].shape));
  softmax_axes(c.attrs, c.in[0].shape.size(), c.node);
  return {c.in[0]};
}

// y = exp(x - max) / sum(exp(x - max)) per slice.
template <typename T>
Kernel softmax_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  Slices s = make_slices(a.in[0], a.attrs, a.node);
  return [=] {
    for_slices(s, [&](const auto& at, int64_t n_) {
      T m = slice_max(x, n_, at);
      T sum = 0;
      for (int64_t j = 0; j < n_; ++j) sum += (y[at(j)] = std::exp(x[at(j)] - m));
      for (int64_t j = 0; j < n_; ++j) y[at(j)] /= sum;
    });
  };
}

// y = x - max - log(sum(exp(x - max))) per slice.
template <typename T>
Kernel log_softmax_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  Slices s = make_slices(a.in[0], a.attrs, a.node);
  return [=] {
    for_slices(s, [&](const auto& at, int64_t n_) {
      T m = slice_max(x, n_, at);
      T sum = 0;
      for (int64_t j = 0; j < n_; ++j) sum += std::exp(x[at(j)] - m);
      T lse = std::log(sum);
      for (int64_t j = 0; j < n_; ++j) y[at(j)] = (x[at(j)] - m) - lse;
    });
  };
}

// softmax: dx = y * (dy - sum(dy * y)); inputs (dy, y)
template <typename T>
Kernel softmax_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Slices s = make_slices(a.in[0], a.attrs, a.node);
  return [=] {
    for_slices(s, [&](const auto& at, int64_t n_) {
      T dot = 0;
      for (int64_t j = 0; j < n_; ++j) dot += dy[at(j)] * y[at(j)];
      for (int64_t j = 0; j < n_; ++j) dx[at(j)] = y[at(j)] * (dy[at(j)] - dot);
    });
  };
}

// log_softmax: dx = dy - exp(y) * sum(dy); inputs (dy, y)
template <typename T>
Kernel log_softmax_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Slices s = make_slices(a.in[0], a.attrs, a.node);
  return [=] {
    for_slices(s, [&](const auto& at, int64_t n_) {
      T total = 0;
      for (int64_t j = 0; j < n_; ++j) total += dy[at(j)];
      for (int64_t j = 0; j < n_; ++j) dx[at(j)] = dy[at(j)] - std::exp(y[at(j)]) * total;
    });
  };
}

void softmax_grad_rule(GradCtx& g) {
  g.set_grad(0, g.emit1("softmax_grad", {g.out_grad(0), g.output(0)}, g.attrs()));
}

void log_softmax_grad_rule(GradCtx& g) {
  g.set_grad(0, g.emit1("log_softmax_grad", {g.out_grad(0), g.output(0)}, g.attrs()));
}

PKC_REGISTER_OP({.name = "softmax", .infer = softmax_infer, .grad = softmax_grad_rule,
                 .kernel = {PKC_FLOAT_KERNEL(softmax_kernel)}});
PKC_REGISTER_OP({.name = "softmax_grad", .infer = softmax_grad_infer, .kernel = {PKC_FLOAT_KERNEL(softmax_grad_kernel)}});
PKC_REGISTER_OP({.name = "log_softmax", .infer = softmax_infer, .grad = log_softmax_grad_rule,
                 .kernel = {PKC_FLOAT_KERNEL(log_softmax_kernel)}});
PKC_REGISTER_OP({.name = "log_softmax_grad", .infer = softmax_grad_infer,
                 .kernel = {PKC_FLOAT_KERNEL(log_softmax_grad_kernel)}});

}  // namespace
}  // namespace pkc
