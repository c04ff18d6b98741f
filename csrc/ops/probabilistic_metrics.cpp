// Probabilistic metric values, one per row of the last axis, as Keras's functions compute them:
// binary / categorical crossentropy (from_logits, label_smoothing), KL divergence, Poisson.
// Sparse categorical crossentropy reuses the registered `sparse_categorical_crossentropy` op.
// Sums run in double; element math in the metric's dtype. Not differentiable.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/metric_common.h"

namespace pkc {
namespace {

// mean over the row of the element-wise binary crossentropy; labels smoothed towards 0.5.
template <typename T>
Kernel bce_kernel(const KernelArgs& a) {
  const bool logits = a.attrs.i("from_logits", 0) != 0;
  const T ls = static_cast<T>(a.attrs.f("label_smoothing", 0.0));
  return row_values_kernel<T>(a, [=](const T* t, const T* p, int64_t D) {
    const T eps = static_cast<T>(kMetricEpsilon);
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) {
      const T y = ls != T(0) ? t[j] * (T(1) - ls) + T(0.5) * ls : t[j];
      if (logits) {
        // -y log(sigmoid(x)) - (1 - y) log(sigmoid(-x)) = y softplus(-x) + (1 - y) softplus(x)
        s += static_cast<double>(y * stable_softplus<T>(-p[j]) + (T(1) - y) * stable_softplus<T>(p[j]));
      } else {
        const T q = std::min(std::max(p[j], eps), T(1) - eps);
        s += static_cast<double>(-(y * std::log(q) + (T(1) - y) * std::log(T(1) - q)));
      }
    }
    return s / static_cast<double>(D);
  });
}

// -sum(y log q) over the class axis; q = softmax(x) from logits, else p / sum(p) clipped to
// [eps, 1 - eps]; labels smoothed towards 1 / num_classes.
template <typename T>
Kernel cce_kernel(const KernelArgs& a) {
  const bool logits = a.attrs.i("from_logits", 0) != 0;
  const T ls = static_cast<T>(a.attrs.f("label_smoothing", 0.0));
  return row_values_kernel<T>(a, [=](const T* t, const T* p, int64_t D) {
    const T eps = static_cast<T>(kMetricEpsilon);
    double s = 0.0;
    if (logits) {
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < D; ++j) m = std::max(m, p[j]);
      double z = 0.0;
      for (int64_t j = 0; j < D; ++j) z += static_cast<double>(std::exp(p[j] - m));
      const T lse = static_cast<T>(std::log(z));
      for (int64_t j = 0; j < D; ++j) {
        const T y = ls != T(0) ? t[j] * (T(1) - ls) + ls / static_cast<T>(D) : t[j];
        s += static_cast<double>(y * (p[j] - m - lse));
      }
    } else {
      double tot = 0.0;
      for (int64_t j = 0; j < D; ++j) tot += static_cast<double>(p[j]);
      const T total = static_cast<T>(tot);
      for (int64_t j = 0; j < D; ++j) {
        const T y = ls != T(0) ? t[j] * (T(1) - ls) + ls / static_cast<T>(D) : t[j];
        const T q = std::min(std::max(p[j] / total, eps), T(1) - eps);
        s += static_cast<double>(y * std::log(q));
      }
    }
    return -s;
  });
}

// sum(y log(y / p)) with y and p clipped to [eps, 1]
template <typename T>
Kernel kld_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    const T eps = static_cast<T>(kMetricEpsilon);
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) {
      const T y = std::min(std::max(t[j], eps), T(1));
      const T q = std::min(std::max(p[j], eps), T(1));
      s += static_cast<double>(y * std::log(y / q));
    }
    return s;
  });
}

// mean(p - y log(p + eps))
template <typename T>
Kernel poisson_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    const T eps = static_cast<T>(kMetricEpsilon);
    double s = 0.0;
    for (int64_t j = 0; j < D; ++j) s += static_cast<double>(p[j] - t[j] * std::log(p[j] + eps));
    return s / static_cast<double>(D);
  });
}

PKC_REGISTER_OP({.name = "metric_binary_crossentropy", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(bce_kernel)}});
PKC_REGISTER_OP({.name = "metric_categorical_crossentropy", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(cce_kernel)}});
PKC_REGISTER_OP({.name = "metric_kl_divergence", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(kld_kernel)}});
PKC_REGISTER_OP({.name = "metric_poisson", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(poisson_kernel)}});

}  // namespace
}  // namespace pkc
