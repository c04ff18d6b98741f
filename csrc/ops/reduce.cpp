// Reductions over attr "axis" (absent: all axes) with attr "keepdims": sum, mean, max, min,
// their gradients (reduce_grad spreads dy back; reduce_extremum_grad splits it evenly among
// the tied maxima, as jnp.max's gradient does), and argmax/argmin (int32, first occurrence).
// Reduction order is fixed (row-major over the input), never threaded.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

enum class Red { sum, mean, max, min };

// The input's shape with reduced dims set to 1 (the keepdims shape).
Shape kept_shape(const Shape& in, const std::vector<int>& axes) {
  Shape s = in;
  for (int a : axes) s[a] = 1;
  return s;
}

Shape reduced_shape(const Shape& in, const std::vector<int>& axes, bool keepdims) {
  if (keepdims) return kept_shape(in, axes);
  Shape s;
  for (size_t d = 0; d < in.size(); ++d)
    if (std::find(axes.begin(), axes.end(), static_cast<int>(d)) == axes.end()) s.push_back(in[d]);
  return s;
}

template <Red R>
std::vector<TensorInfo> reduce_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  const Shape& in = c.in[0].shape;
  check_max_rank(c, in);
  DType dt = c.in[0].dtype;
  if (R == Red::mean)
    check_floating(c, 0);
  else
    PKC_CHECK(is_numeric_kernel_dtype(dt) && (dt != DType::bool_ || R != Red::sum), Type, c.node,
              ": unsupported dtype ", dtype_name(dt));
  auto axes = reduction_axes(c.attrs, in.size(), c.node);
  if (R == Red::max || R == Red::min)
    for (int a : axes)
      PKC_CHECK(in[a] != 0, Value, c.node, ": zero-size reduction over axis ", a, " of shape ", shape_str(in),
                " has no identity for ", R == Red::max ? "max" : "min");
  return {{reduced_shape(in, axes, c.attrs.i("keepdims", 0) != 0), dt}};
}

template <Red R, typename T>
Kernel reduce_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  Shape xs = a.in[0].shape;
  auto axes = reduction_axes(a.attrs, xs.size(), a.node);
  auto sy = broadcast_strides(kept_shape(xs, axes), xs);
  std::vector<int64_t> zero(xs.size(), 0);
  int64_t ny = a.out[0].numel();
  int64_t count = ny ? numel(xs) / ny : 0;
  T init = T(0);
  if constexpr (R == Red::max) init = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::lowest();
  if constexpr (R == Red::min) init = std::numeric_limits<T>::has_infinity ? std::numeric_limits<T>::infinity() : std::numeric_limits<T>::max();
  return [=] {
    for (int64_t i = 0; i < ny; ++i) y[i] = init;
    for_each_broadcast(xs, sy, zero, [&](int64_t o, int64_t i, int64_t) {
      T v = x[o];
      if constexpr (R == Red::sum || R == Red::mean) {
        y[i] += v;
      } else if constexpr (std::is_floating_point_v<T>) {
        // NaN wins, as in NumPy: once y is NaN no comparison replaces it.
        if ((R == Red::max ? v > y[i] : v < y[i]) || v != v) y[i] = v;
      } else {
        if (R == Red::max ? v > y[i] : v < y[i]) y[i] = v;
      }
    });
    if constexpr (R == Red::mean)
      for (int64_t i = 0; i < ny; ++i) y[i] /= static_cast<T>(count);
  };
}

template <Red R>
Kernel reduce_kernel(const KernelArgs& a) {
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool> && (R == Red::sum || R == Red::mean)) {
      PKC_THROW(Type, a.node, ": bool input");
    } else {
      return reduce_kernel_t<R, T>(a);
    }
  });
}

Attrs reduce_attrs(const Attrs& from) {
  Attrs at;
  if (from.has("axis")) at.set("axis", from.ints("axis"));
  at.set("keepdims", from.i("keepdims", 0));
  return at;
}

template <Red R>
void reduce_grad_rule(GradCtx& g) {
  if (!is_floating(g.info(g.input(0)).dtype)) return;
  Attrs at = reduce_attrs(g.attrs());
  if (R == Red::sum || R == Red::mean) {
    at.set("mean", int64_t(R == Red::mean));
    g.set_grad(0, g.emit1("reduce_grad", {g.out_grad(0), g.input(0)}, at));
  } else {
    g.set_grad(0, g.emit1("reduce_extremum_grad", {g.out_grad(0), g.input(0), g.output(0)}, at));
  }
}

// ---------------------------------------------------------------- reduce_grad(dy, x; axis, keepdims, mean)
std::vector<TensorInfo> reduce_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 3);
  return {{c.in[1].shape, common_floating(c, {0, 1})}};
}

template <typename T>
Kernel reduce_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Shape xs = a.in[1].shape;
  auto axes = reduction_axes(a.attrs, xs.size(), a.node);
  auto sy = broadcast_strides(kept_shape(xs, axes), xs);
  std::vector<int64_t> zero(xs.size(), 0);
  int64_t ny = a.in[0].numel();
  T scale = a.attrs.i("mean", 0) && ny ? T(ny) / T(numel(xs)) : T(1);
  return [=] { for_each_broadcast(xs, sy, zero, [&](int64_t o, int64_t i, int64_t) { dx[o] = dy[i] * scale; }); };
}

// ---------------------------------------------------------------- reduce_extremum_grad(dy, x, y; axis, keepdims)
template <typename T>
Kernel reduce_extremum_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const T* y = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Shape xs = a.in[1].shape;
  auto axes = reduction_axes(a.attrs, xs.size(), a.node);
  auto sy = broadcast_strides(kept_shape(xs, axes), xs);
  std::vector<int64_t> zero(xs.size(), 0);
  int64_t ny = a.in[2].numel();
  auto count = std::make_shared<std::vector<T>>(static_cast<size_t>(ny));  // scratch, sized once
  return [=] {
    T* cnt = count->data();
    for (int64_t i = 0; i < ny; ++i) cnt[i] = T(0);
    for_each_broadcast(xs, sy, zero, [&](int64_t o, int64_t i, int64_t) { cnt[i] += x[o] == y[i] ? T(1) : T(0); });
    for_each_broadcast(xs, sy, zero, [&](int64_t o, int64_t i, int64_t) {
      dx[o] = x[o] == y[i] ? dy[i] / cnt[i] : T(0);
    });
  };
}

// ---------------------------------------------------------------- argmax / argmin(x; axis, keepdims) -> int32
std::vector<TensorInfo> arg_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  const Shape& in = c.in[0].shape;
  PKC_CHECK(is_numeric_kernel_dtype(c.in[0].dtype), Type, c.node, ": unsupported dtype ", dtype_name(c.in[0].dtype));
  PKC_CHECK(!in.empty(), Value, c.node, ": argmax/argmin need an input of rank >= 1");
  int axis = normalize_axis(c.attrs.i("axis", -1), in.size(), c.node.c_str());
  PKC_CHECK(in[axis] != 0, Value, c.node, ": argmax/argmin of an empty axis ", axis, " of shape ", shape_str(in));
  return {{reduced_shape(in, {axis}, c.attrs.i("keepdims", 0) != 0), DType::int32}};
}

template <bool Max, typename T>
Kernel arg_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  int32_t* y = a.out[0].ptr<int32_t>();
  const Shape& xs = a.in[0].shape;
  int axis = normalize_axis(a.attrs.i("axis", -1), xs.size(), a.node.c_str());
  int64_t n = xs[axis], outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= xs[d];
  for (size_t d = axis + 1; d < xs.size(); ++d) inner *= xs[d];
  return [=] {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        const T* p = x + o * n * inner + j;
        int64_t best = 0;
        T bv = p[0];
        for (int64_t k = 1; k < n && bv == bv; ++k) {  // a NaN is the answer, as in NumPy
          T v = p[k * inner];
          if ((Max ? v > bv : v < bv) || v != v) {
            bv = v;
            best = k;
          }
        }
        y[o * inner + j] = static_cast<int32_t>(best);
      }
  };
}

template <bool Max>
Kernel arg_kernel(const KernelArgs& a) {
  return visit_dtype(a.in[0].dtype, a.node, [&](auto tag) { return arg_kernel_t<Max, decltype(tag)>(a); });
}

PKC_REGISTER_OP({.name = "sum", .infer = reduce_infer<Red::sum>, .grad = reduce_grad_rule<Red::sum>, .kernel = {reduce_kernel<Red::sum>}});
PKC_REGISTER_OP({.name = "mean", .infer = reduce_infer<Red::mean>, .grad = reduce_grad_rule<Red::mean>, .kernel = {reduce_kernel<Red::mean>}});
PKC_REGISTER_OP({.name = "max", .infer = reduce_infer<Red::max>, .grad = reduce_grad_rule<Red::max>, .kernel = {reduce_kernel<Red::max>}});
PKC_REGISTER_OP({.name = "min", .infer = reduce_infer<Red::min>, .grad = reduce_grad_rule<Red::min>, .kernel = {reduce_kernel<Red::min>}});
PKC_REGISTER_OP({.name = "reduce_grad", .infer = reduce_grad_infer, .kernel = {PKC_FLOAT_KERNEL(reduce_grad_kernel)}});
PKC_REGISTER_OP({.name = "reduce_extremum_grad", .infer = reduce_grad_infer, .kernel = {PKC_FLOAT_KERNEL(reduce_extremum_grad_kernel)}});
PKC_REGISTER_OP({.name = "argmax", .infer = arg_infer, .kernel = {arg_kernel<true>}});
PKC_REGISTER_OP({.name = "argmin", .infer = arg_infer, .kernel = {arg_kernel<false>}});

}  // namespace
}  // namespace pkc
