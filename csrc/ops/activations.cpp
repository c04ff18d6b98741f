// Activation ops (relu, sigmoid, tanh, softmax) and their gradient ops.
#include "ops/activations.h"

#include <algorithm>
#include <cmath>

#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {

Act act_from_name(const std::string& n, const std::string& node) {
  if (n == "linear" || n.empty()) return Act::linear;
  if (n == "relu") return Act::relu;
  if (n == "sigmoid") return Act::sigmoid;
  if (n == "tanh") return Act::tanh;
  PKC_THROW(Value, node, ": activation '", n, "' cannot be fused here");
}

bool act_is_fusable(const std::string& n) {
  return n.empty() || n == "linear" || n == "relu" || n == "sigmoid" || n == "tanh";
}

namespace {

// ---- element-wise activation: y = act(x) ----
template <Act A, typename T>
Kernel act_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) y[i] = act_forward(A, x[i]);
  };
}

// ---- gradient from output: dx = act'(y) * dy, inputs (dy, y) ----
template <Act A>
Kernel act_kernel(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? act_kernel_t<A, double>(a) : act_kernel_t<A, float>(a);
}

template <Act A, typename T>
Kernel act_grad_kernel_t(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) dx[i] = act_backward(A, dy[i], y[i]);
  };
}

template <Act A>
Kernel act_grad_kernel(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? act_grad_kernel_t<A, double>(a) : act_grad_kernel_t<A, float>(a);
}

template <Act A>
void act_grad_rule(GradCtx& g) {
  static const char* names[] = {"linear_grad", "relu_grad", "sigmoid_grad", "tanh_grad"};
  int dy = g.out_grad(0);
  g.set_grad(0, g.emit1(names[static_cast<int>(A)], {dy, g.output(0)}));
}

std::vector<TensorInfo> float_unary(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  check_floating(c, 0);
  return {c.in[0]};
}

PKC_REGISTER_OP({.name = "relu", .infer = float_unary, .grad = act_grad_rule<Act::relu>,
                 .kernel = {act_kernel<Act::relu>}});
PKC_REGISTER_OP({.name = "sigmoid", .infer = float_unary, .grad = act_grad_rule<Act::sigmoid>,
                 .kernel = {act_kernel<Act::sigmoid>}});
PKC_REGISTER_OP({.name = "tanh", .infer = float_unary, .grad = act_grad_rule<Act::tanh>,
                 .kernel = {act_kernel<Act::tanh>}});
PKC_REGISTER_OP({.name = "relu_grad", .infer = same_as_input0, .kernel = {act_grad_kernel<Act::relu>}});
PKC_REGISTER_OP({.name = "sigmoid_grad", .infer = same_as_input0,
                 .kernel = {act_grad_kernel<Act::sigmoid>}});
PKC_REGISTER_OP({.name = "tanh_grad", .infer = same_as_input0, .kernel = {act_grad_kernel<Act::tanh>}});

// ---- softmax over the last axis ----
template <typename T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const T* xr = x + r * cols;
    T* yr = y + r * cols;
    T m = -INFINITY;
    for (int64_t j = 0; j < cols; ++j) m = std::max(m, xr[j]);
    T s = 0;
    for (int64_t j = 0; j < cols; ++j) {
      yr[j] = std::exp(xr[j] - m);
      s += yr[j];
    }
    T inv = T(1) / s;
    for (int64_t j = 0; j < cols; ++j) yr[j] *= inv;
  }
}

std::vector<TensorInfo> softmax_infer(const ShapeCtx& c) {
  auto out = float_unary(c);
  PKC_CHECK(!c.in[0].shape.empty(), Value, c.node, ": softmax needs rank >= 1");
  int64_t axis = c.attrs.i("axis", -1);
  int ax = normalize_axis(axis, c.in[0].shape.size(), c.node.c_str());
  PKC_CHECK(ax == static_cast<int>(c.in[0].shape.size()) - 1, Value, c.node,
            ": softmax over a non-last axis is not supported by this op; transpose first");
  return out;
}

template <typename T>
Kernel softmax_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t cols = a.in[0].shape.back();
  int64_t rows = cols ? a.in[0].numel() / cols : 0;
  return [=] { softmax_rows(x, y, rows, cols); };
}

// dx = y * (dy - sum(dy * y)) per row; inputs (dy, y)
template <typename T>
Kernel softmax_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int64_t cols = a.in[0].shape.back();
  int64_t rows = cols ? a.in[0].numel() / cols : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      const T* dyr = dy + r * cols;
      const T* yr = y + r * cols;
      T dot = 0;
      for (int64_t j = 0; j < cols; ++j) dot += dyr[j] * yr[j];
      for (int64_t j = 0; j < cols; ++j) dx[r * cols + j] = yr[j] * (dyr[j] - dot);
    }
  };
}

void softmax_grad_rule(GradCtx& g) {
  g.set_grad(0, g.emit1("softmax_grad", {g.out_grad(0), g.output(0)}));
}

PKC_REGISTER_OP({.name = "softmax", .infer = softmax_infer, .grad = softmax_grad_rule,
                 .kernel = {PKC_FLOAT_KERNEL(softmax_kernel)}});
PKC_REGISTER_OP({.name = "softmax_grad", .infer = same_as_input0, .kernel = {PKC_FLOAT_KERNEL(softmax_grad_kernel)}});

}  // namespace
}  // namespace pkc
