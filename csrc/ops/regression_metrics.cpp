// Regression metric values, one value per row of the last axis (Keras's functions with
// `mean(..., axis=-1)`), and the R2Score accumulator `metric_r2_update`. Per-row sums run in
// double and are stored in the metric's dtype. No gradients: metrics are not differentiated.
#include <cmath>

#include "ops/elementwise.h"
#include "ops/metric_common.h"

namespace pkc {
namespace {

// mean((t - p)^2)
template <typename T>
Kernel mse_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) {
      T d = t[j] - p[j];
      s += static_cast<double>(d * d);
    }
    return s / static_cast<double>(D);
  });
}

// mean(|t - p|)
template <typename T>
Kernel mae_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) s += static_cast<double>(std::abs(t[j] - p[j]));
    return s / static_cast<double>(D);
  });
}

// 100 * mean(|(t - p) / max(|t|, eps)|)
template <typename T>
Kernel mape_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    const T eps = static_cast<T>(kMetricEpsilon);
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) s += static_cast<double>(std::abs((t[j] - p[j]) / std::max(std::abs(t[j]), eps)));
    return 100.0 * (s / static_cast<double>(D));
  });
}

// mean((log(max(p, eps) + 1) - log(max(t, eps) + 1))^2)
template <typename T>
Kernel msle_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    const T eps = static_cast<T>(kMetricEpsilon);
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) {
      T d = std::log(std::max(p[j], eps) + T(1)) - std::log(std::max(t[j], eps) + T(1));
      s += static_cast<double>(d * d);
    }
    return s / static_cast<double>(D);
  });
}

// sum(t / ||t|| * p / ||p||), each norm floored at eps (Keras's l2 normalize: x * rsqrt(max(sum x^2, eps^2)))
template <typename T>
Kernel cosine_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    const double eps2 = kMetricEpsilon * kMetricEpsilon;
    double tt = 0.0, pp = 0.0, tp = 0.0;
    for (int64_t j = 0; j < D; ++j) {
      tt += static_cast<double>(t[j]) * t[j];
      pp += static_cast<double>(p[j]) * p[j];
      tp += static_cast<double>(t[j]) * p[j];
    }
    return tp / std::sqrt(std::max(tt, eps2)) / std::sqrt(std::max(pp, eps2));
  });
}

// mean(x + softplus(-2x) - log 2), x = p - t
template <typename T>
Kernel log_cosh_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    const T log2 = static_cast<T>(std::log(2.0));
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) {
      T x = p[j] - t[j];
      s += static_cast<double>(x + stable_softplus<T>(x * T(-2)) - log2);
    }
    return s / static_cast<double>(D);
  });
}

// ---- metric_r2_update(state[4 * C + 1], y_true[B, C], y_pred[B, C][, sample_weight]): in place.
// State layout: [sum(C), squared_sum(C), residual(C), count(C), num_samples]: per column
// sum(w t), sum(w t^2), sum(w (t - p)^2), sum(w), and num_samples += B * C (Keras 3.15 counts
// elements of y_true; newer Keras counts rows with a nonzero weight - we follow the installed
// oracle, see docs/decisions.md).
// sample_weight broadcasts from the left onto [B, C] ([B] weights one row each).
std::vector<TensorInfo> r2_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 4);
  DType dt = check_floating(c, 0);
  for (size_t i = 1; i < c.in.size(); ++i)
    PKC_CHECK(c.in[i].dtype == dt, Type, c.node, ": input ", i, " must be ", dtype_name(dt), ", got ",
              dtype_name(c.in[i].dtype));
  const Shape& t = c.in[1].shape;
  const Shape& p = c.in[2].shape;
  PKC_CHECK(t.size() == 2 && p.size() == 2, Value, c.node,
            ": R2Score expects 2D inputs with shape (batch_size, output_dim), got y_true ", shape_str(t),
            " and y_pred ", shape_str(p));
  PKC_CHECK(p[1] >= 0 && t[1] == p[1] && (t[0] == p[0] || t[0] < 0 || p[0] < 0), Value, c.node,
            ": y_true shape ", shape_str(t), " does not match y_pred shape ", shape_str(p));
  PKC_CHECK(c.in[0].shape == Shape{4 * p[1] + 1}, Value, c.node, ": state must have shape ",
            shape_str(Shape{4 * p[1] + 1}), ", got ", shape_str(c.in[0].shape));
  if (c.in.size() == 4) check_weight_broadcast(c.in[3].shape, p, c.node);
  return {};
}

template <typename T>
Kernel r2_kernel(const KernelArgs& a) {
  T* state = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  const T* w = a.in.size() == 4 ? a.in[3].ptr<T>() : nullptr;
  const Shape ps = a.in[2].shape;
  const int64_t B = ps[0], C = ps[1];
  std::vector<int64_t> ws = w ? leading_weight_strides(a.in[3].shape, ps) : std::vector<int64_t>{0, 0};
  if (ws.size() < 2) ws.resize(2, 0);
  std::vector<double> acc(static_cast<size_t>(4 * C));
  return [=]() mutable {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t b = 0; b < B; ++b) {
      for (int64_t j = 0; j < C; ++j) {
        const T wi = w ? w[b * ws[0] + j * ws[1]] : T(1);
        const T ti = t[b * C + j], d = ti - p[b * C + j];
        const T wt = ti * wi;
        acc[j] += static_cast<double>(wt);
        acc[C + j] += static_cast<double>(ti * wt);
        acc[2 * C + j] += static_cast<double>(d * d * wi);
        acc[3 * C + j] += static_cast<double>(wi);
      }
    }
    for (int64_t j = 0; j < 4 * C; ++j) state[j] += static_cast<T>(acc[j]);
    state[4 * C] += static_cast<T>(B * C);
  };
}

PKC_REGISTER_OP({.name = "metric_mean_squared_error", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(mse_kernel)}});
PKC_REGISTER_OP({.name = "metric_mean_absolute_error", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(mae_kernel)}});
PKC_REGISTER_OP({.name = "metric_mean_absolute_percentage_error", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(mape_kernel)}});
PKC_REGISTER_OP({.name = "metric_mean_squared_logarithmic_error", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(msle_kernel)}});
PKC_REGISTER_OP({.name = "metric_cosine_similarity", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(cosine_kernel)}});
PKC_REGISTER_OP({.name = "metric_log_cosh", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(log_cosh_kernel)}});
PKC_REGISTER_OP({.name = "metric_r2_update", .infer = r2_infer, .kernel = {PKC_FLOAT_KERNEL(r2_kernel)}, .mutates_input = 0});

}  // namespace
}  // namespace pkc
