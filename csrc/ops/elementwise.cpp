// Element-wise binary ops with NumPy broadcasting (add, subtract, multiply, divide), their
// gradients, and sum_to_shape (the reduction a broadcast's gradient needs).
#include "ops/elementwise.h"

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

namespace {

enum class Bin { add, sub, mul, div };

template <Bin OP, typename T>
inline T bin_apply(T a, T b) {
  if constexpr (OP == Bin::add) return a + b;
  if constexpr (OP == Bin::sub) return a - b;
  if constexpr (OP == Bin::mul) return a * b;
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
  return kernel_dtype(a) == DType::float64 ? binary_kernel_t<OP, double>(a) : binary_kernel_t<OP, float>(a);
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

template <typename T>
Kernel negative_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) y[i] = -x[i];
  };
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

PKC_REGISTER_OP({.name = "add", .infer = broadcast_binary, .grad = add_grad, .kernel = {binary_kernel<Bin::add>}});
PKC_REGISTER_OP({.name = "subtract", .infer = broadcast_binary, .grad = sub_grad, .kernel = {binary_kernel<Bin::sub>}});
PKC_REGISTER_OP({.name = "multiply", .infer = broadcast_binary, .grad = mul_grad, .kernel = {binary_kernel<Bin::mul>}});
PKC_REGISTER_OP({.name = "divide", .infer = broadcast_binary, .grad = div_grad, .kernel = {binary_kernel<Bin::div>}});
PKC_REGISTER_OP({.name = "negative", .infer = same_as_input0, .grad = negative_grad, .kernel = {PKC_FLOAT_KERNEL(negative_kernel)}});
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
