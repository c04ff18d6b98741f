// Element-wise binary ops with NumPy broadcasting (add, subtract, multiply, divide, maximum,
// minimum, power), their gradients, and sum_to_shape (the reduction a broadcast's gradient
// needs). Unary math lives in unary_math.cpp, comparisons and where in compare.cpp.
#include "ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  size_t r = out.size(), off = r - in.size();
  std::vector<int64_t> s(r, 0);
  int64_t stride = 1;
  for (int d = static_cast<int>(in.size()) - 1; d >= 0; --d) {
    s[d + off] = in[d] == 1 && out[d + off] != 1 ? 0 : stride;
    stride *= in[d];
  }
  return s;
}

void check_max_rank(const ShapeCtx& c, const Shape& s) {
  PKC_CHECK(s.size() <= static_cast<size_t>(kMaxRank), Value, c.node, ": rank ", s.size(), " (shape ",
            shape_str(s), ") exceeds the supported maximum of ", kMaxRank);
}

std::vector<int> reduction_axes(const Attrs& attrs, size_t rank, const std::string& node) {
  std::vector<int> axes;
  if (!attrs.has("axis")) {
    for (size_t d = 0; d < rank; ++d) axes.push_back(static_cast<int>(d));
    return axes;
  }
  for (int64_t a : attrs.ints("axis")) {
    int ax = normalize_axis(a, rank, node.c_str());
    PKC_CHECK(std::find(axes.begin(), axes.end(), ax) == axes.end(), Value, node, ": repeated axis ", a);
    axes.push_back(ax);
  }
  std::sort(axes.begin(), axes.end());
  return axes;
}

namespace {

enum class Bin { add, sub, mul, div, max, min, pow };

template <Bin OP, typename T>
inline T bin_apply(T a, T b) {
  if constexpr (OP == Bin::add) return a + b;
  if constexpr (OP == Bin::sub) return a - b;
  if constexpr (OP == Bin::mul) return a * b;
  if constexpr (OP == Bin::max) return a > b || a != a ? a : b;  // NaN propagates, as in NumPy
  if constexpr (OP == Bin::min) return a < b || a != a ? a : b;
  if constexpr (OP == Bin::pow) return static_cast<T>(std::pow(a, b));
  return a / b;
}

template <Bin OP, typename T>
Kernel binary_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* z = a.out[0].ptr<T>();
  Shape out = a.out[0].shape;
  int64_t n = numel(out);
  if (a.in[0].shape == out && a.in[1].shape == out)
    return [=] {
      for (int64_t i = 0; i < n; ++i) z[i] = bin_apply<OP, T>(x[i], y[i]);
    };
  auto sa = broadcast_strides(a.in[0].shape, out), sb = broadcast_strides(a.in[1].shape, out);
  return [=] {
    for_each_broadcast(out, sa, sb, [&](int64_t o, int64_t i, int64_t j) { z[o] = bin_apply<OP, T>(x[i], y[j]); });
  };
}

template <Bin OP>
Kernel binary_kernel(const KernelArgs& a) {
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      PKC_THROW(Type, a.node, ": arithmetic on bool tensors is not supported");
    } else {
      return binary_kernel_t<OP, T>(a);
    }
  });
}

// Arithmetic: both inputs one dtype (float or integer, not bool); divide and power need floats.
template <bool FloatOnly>
std::vector<TensorInfo> arith_infer(const ShapeCtx& c) {
  auto out = broadcast_binary(c);
  DType dt = out[0].dtype;
  if (FloatOnly)
    check_floating(c, 0);
  else
    PKC_CHECK(is_numeric_kernel_dtype(dt) && dt != DType::bool_, Type, c.node, ": unsupported dtype ",
              dtype_name(dt), " for arithmetic");
  check_max_rank(c, out[0].shape);
  return out;
}

// Gradient of an input that may have been broadcast: reduce to its shape when needed.
int reduce_to_input(GradCtx& g, int grad, int input_index) {
  int in = g.input(input_index);
  if (g.info(in).shape == g.info(grad).shape) return grad;
  return g.emit1("sum_to_shape", {grad, in});
}

void add_grad(GradCtx& g) {
  int dy = g.out_grad(0);
  if (g.needs_grad(0)) g.set_grad(0, reduce_to_input(g, dy, 0));
  if (g.needs_grad(1)) g.set_grad(1, reduce_to_input(g, dy, 1));
}

void sub_grad(GradCtx& g) {
  int dy = g.out_grad(0);
  if (g.needs_grad(0)) g.set_grad(0, reduce_to_input(g, dy, 0));
  if (g.needs_grad(1)) g.set_grad(1, reduce_to_input(g, g.emit1("negative", {dy}), 1));
}

void mul_grad(GradCtx& g) {
  int dy = g.out_grad(0);
  if (g.needs_grad(0)) g.set_grad(0, reduce_to_input(g, g.emit1("multiply", {dy, g.input(1)}), 0));
  if (g.needs_grad(1)) g.set_grad(1, reduce_to_input(g, g.emit1("multiply", {dy, g.input(0)}), 1));
}

void div_grad(GradCtx& g) {
  int dy = g.out_grad(0);
  int gx = g.emit1("divide", {dy, g.input(1)});
  if (g.needs_grad(0)) g.set_grad(0, reduce_to_input(g, gx, 0));
  if (g.needs_grad(1)) {
    // d(x/y)/dy = -(x/y)/y * dy = -gx * out / x ... computed stably as -dy * out / y
    int t = g.emit1("multiply", {gx, g.output(0)});
    g.set_grad(1, reduce_to_input(g, g.emit1("negative", {t}), 1));
  }
}

// ---- maximum / minimum: the gradient goes to the larger (smaller) input; on ties it is
// split evenly between the two, as jax.numpy does.
template <bool Max, typename T>
Kernel extremum_grad_kernel_t(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const T* y = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  T* dyy = a.out[1].ptr<T>();
  Shape out = a.out[0].shape;
  auto sx = broadcast_strides(a.in[1].shape, out), sy = broadcast_strides(a.in[2].shape, out);
  return [=] {
    for_each_broadcast(out, sx, sy, [&](int64_t o, int64_t i, int64_t j) {
      T xv = x[i], yv = y[j];
      T wx = xv == yv ? T(0.5) : ((Max ? xv > yv : xv < yv) ? T(1) : T(0));
      dx[o] = dy[o] * wx;
      dyy[o] = dy[o] * (T(1) - wx);
    });
  };
}

template <bool Max>
Kernel extremum_grad_kernel(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? extremum_grad_kernel_t<Max, double>(a)
                                           : extremum_grad_kernel_t<Max, float>(a);
}

// (dy, x, y) -> (dx, dy) both of dy's (the broadcast output's) shape.
std::vector<TensorInfo> extremum_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 3);
  check_floating(c, 0);
  return {c.in[0], c.in[0]};
}

template <bool Max>
void extremum_grad(GradCtx& g) {
  if (!is_floating(g.info(g.output(0)).dtype)) return;
  auto d = g.emit(Max ? "maximum_grad" : "minimum_grad", {g.out_grad(0), g.input(0), g.input(1)});
  if (g.needs_grad(0)) g.set_grad(0, reduce_to_input(g, d[0], 0));
  if (g.needs_grad(1)) g.set_grad(1, reduce_to_input(g, d[1], 1));
}

// ---- power(x, y) = x ** y; gradients y x^(y-1) and log(x) x^y (0 where x == 0, as in JAX).
template <typename T>
Kernel power_grad_kernel(const KernelArgs& a) {
  const T* dz = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const T* y = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  T* dy = a.out[1].ptr<T>();
  Shape out = a.out[0].shape;
  auto sx = broadcast_strides(a.in[1].shape, out), sy = broadcast_strides(a.in[2].shape, out);
  return [=] {
    for_each_broadcast(out, sx, sy, [&](int64_t o, int64_t i, int64_t j) {
      T xv = x[i], yv = y[j];
      dx[o] = dz[o] * (yv == T(0) ? T(0) : yv * std::pow(xv, yv - T(1)));
      dy[o] = dz[o] * (xv == T(0) ? T(0) : std::log(xv) * std::pow(xv, yv));
    });
  };
}

void power_grad(GradCtx& g) {
  auto d = g.emit("power_grad", {g.out_grad(0), g.input(0), g.input(1)});
  if (g.needs_grad(0)) g.set_grad(0, reduce_to_input(g, d[0], 0));
  if (g.needs_grad(1)) g.set_grad(1, reduce_to_input(g, d[1], 1));
}

template <typename T>
Kernel negative_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
  };
}

Kernel negative_any(const KernelArgs& a) {
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      PKC_THROW(Type, a.node, ": negative of a bool tensor is not supported");
    } else {
      return negative_kernel<T>(a);
    }
  });
}

std::vector<TensorInfo> negative_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  DType dt = c.in[0].dtype;
  PKC_CHECK(is_numeric_kernel_dtype(dt) && dt != DType::bool_, Type, c.node, ": unsupported dtype ",
            dtype_name(dt), " for negative");
  return {c.in[0]};
}

void negative_grad(GradCtx& g) { g.set_grad(0, g.emit1("negative", {g.out_grad(0)})); }

// ---- sum_to_shape(x, like): sums x over the dims in which `like` was broadcast
std::vector<TensorInfo> sum_to_shape_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  return {{c.in[1].shape, c.in[0].dtype}};
}

template <typename T>
Kernel sum_to_shape_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  Shape xs = a.in[0].shape;
  int64_t ny = a.out[0].numel();
  auto sy = broadcast_strides(a.out[0].shape, xs);
  std::vector<int64_t> sx(xs.size(), 0);
  return [=] {
    std::memset(y, 0, sizeof(T) * ny);
    for_each_broadcast(xs, sy, sx, [&](int64_t o, int64_t i, int64_t) { y[i] += x[o]; });
  };
}

void sum_to_shape_grad(GradCtx& g) {
  // Broadcasting back: dy (shape of `like`) spread over x's shape.
  int zeros = g.emit1("zeros_like", {g.input(0)});
  g.set_grad(0, g.emit1("add", {zeros, g.out_grad(0)}));
}

Kernel zeros_like_kernel(const KernelArgs& a) {
  void* y = a.out[0].data;
  size_t bytes = a.out[0].nbytes();
  return [=] { std::memset(y, 0, bytes); };
}

PKC_REGISTER_OP({.name = "add", .infer = arith_infer<false>, .grad = add_grad, .kernel = {binary_kernel<Bin::add>}});
PKC_REGISTER_OP({.name = "subtract", .infer = arith_infer<false>, .grad = sub_grad, .kernel = {binary_kernel<Bin::sub>}});
PKC_REGISTER_OP({.name = "multiply", .infer = arith_infer<false>, .grad = mul_grad, .kernel = {binary_kernel<Bin::mul>}});
PKC_REGISTER_OP({.name = "divide", .infer = arith_infer<true>, .grad = div_grad, .kernel = {binary_kernel<Bin::div>}});
PKC_REGISTER_OP({.name = "maximum", .infer = arith_infer<false>, .grad = extremum_grad<true>, .kernel = {binary_kernel<Bin::max>}});
PKC_REGISTER_OP({.name = "minimum", .infer = arith_infer<false>, .grad = extremum_grad<false>, .kernel = {binary_kernel<Bin::min>}});
PKC_REGISTER_OP({.name = "maximum_grad", .infer = extremum_grad_infer, .kernel = {extremum_grad_kernel<true>}});
PKC_REGISTER_OP({.name = "minimum_grad", .infer = extremum_grad_infer, .kernel = {extremum_grad_kernel<false>}});
PKC_REGISTER_OP({.name = "power", .infer = arith_infer<true>, .grad = power_grad, .kernel = {binary_kernel<Bin::pow>}});
PKC_REGISTER_OP({.name = "power_grad", .infer = extremum_grad_infer, .kernel = {PKC_FLOAT_KERNEL(power_grad_kernel)}});
PKC_REGISTER_OP({.name = "negative", .infer = negative_infer, .grad = negative_grad, .kernel = {negative_any}});
PKC_REGISTER_OP({.name = "sum_to_shape", .infer = sum_to_shape_infer, .grad = sum_to_shape_grad, .kernel = {PKC_FLOAT_KERNEL(sum_to_shape_kernel)}});
PKC_REGISTER_OP({.name = "zeros_like", .infer = same_as_input0, .kernel = {zeros_like_kernel}});

}  // namespace
}  // namespace pkc

namespace pkc {
namespace {

Kernel copy_kernel(const KernelArgs& a) {
  const void* x = a.in[0].data;
  void* y = a.out[0].data;
  size_t bytes = a.in[0].nbytes();
  return [=] {
    if (x != y) std::memcpy(y, x, bytes);
  };
}

void copy_grad(GradCtx& g) { g.set_grad(0, g.out_grad(0)); }

PKC_REGISTER_OP({.name = "copy", .infer = same_as_input0, .grad = copy_grad, .kernel = {copy_kernel}});

}  // namespace
}  // namespace pkc
