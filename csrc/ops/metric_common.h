// Shared pieces of the metric op families: shape rules for "same-shape y_true/y_pred" metrics
// and for accumulators, the weight-vs-values broadcast check, and a row-wise value kernel.
// Metric ops are not differentiable; nothing here emits gradients or touches losses.cpp.
#pragma once
#include <cmath>
#include <string>

#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {

constexpr double kMetricEpsilon = 1e-7;  // keras.config.epsilon()

inline Shape metric_drop_last(const Shape& s) { return s.empty() ? s : Shape(s.begin(), s.end() - 1); }

// y_true and y_pred (inputs 0, 1) must have one floating dtype and the same shape (unknown
// dims match anything); returns that dtype.
DType check_same_shape_pair(const ShapeCtx& c);

// Shape rule of per-sample metric values: same-shape pair -> y_pred's shape minus its last axis.
std::vector<TensorInfo> row_values_infer(const ShapeCtx& c);

// Shape rule of element-wise metric values: same-shape pair -> that shape.
std::vector<TensorInfo> elementwise_values_infer(const ShapeCtx& c);

// `weight` must broadcast onto `target` NumPy-style from the right, or (aligned from the left,
// as Keras's sample weights are) be a prefix-compatible shape; throws ValueError naming both.
void check_weight_broadcast(const Shape& weight, const Shape& target, const std::string& node);

// Sample weights laid over `target` aligned from the left (dims of size 1 broadcast): the
// strides to use with for_each_broadcast. Keras aligns weights with the leading (batch) axes.
std::vector<int64_t> leading_weight_strides(const Shape& weight, const Shape& target);

// out[r] = f(t + r * D, p + r * D, D) for every row of the last axis (D = 1 for scalars).
// The functor returns the row's value in double; it is stored as T.
template <typename T, typename F>
Kernel row_values_kernel(const KernelArgs& a, F f) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const int64_t D = a.in[1].shape.empty() ? 1 : a.in[1].shape.back();
  const int64_t rows = D ? a.in[1].numel() / D : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) out[r] = static_cast<T>(f(t + r * D, p + r * D, D));
  };
}

// Keras's softplus (jax.nn.softplus): log(1 + exp(x)) computed stably.
template <typename T>
T stable_softplus(T x) {
  return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

}  // namespace pkc
