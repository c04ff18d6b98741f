// Hinge metric values, one per row of the last axis, as Keras's hinge functions: labels that are
// all 0/1 across the whole batch are mapped to -1/1 first (hinge, squared_hinge);
// categorical_hinge takes one-hot labels. Sums run in double. Not differentiable.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/metric_common.h"

namespace pkc {
namespace {

// mean over the row of max(1 - y p, 0) (squared when Squared); y = 2t - 1 if every label in
// the batch is 0 or 1 (Keras decides per batch, not per row).
template <typename T, bool Squared>
Kernel hinge_kernel_t(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const int64_t n = a.in[1].numel();
  const int64_t D = a.in[1].shape.empty() ? 1 : a.in[1].shape.back();
  const int64_t rows = D ? n / D : 0;
  return [=] {
    bool binary = true;
    for (int64_t i = 0; i < n && binary; ++i) binary = t[i] == T(0) || t[i] == T(1);
    for (int64_t r = 0; r < rows; ++r) {
      double s = 0.0;
      for (int64_t j = 0; j < D; ++j) {
        const T y = binary ? T(2) * t[r * D + j] - T(1) : t[r * D + j];
        const T h = std::max(T(1) - y * p[r * D + j], T(0));
        s += static_cast<double>(Squared ? h * h : h);
      }
      out[r] = static_cast<T>(s / static_cast<double>(D));
    }
  };
}
template <typename T>
Kernel hinge_kernel(const KernelArgs& a) { return hinge_kernel_t<T, false>(a); }
template <typename T>
Kernel squared_hinge_kernel(const KernelArgs& a) { return hinge_kernel_t<T, true>(a); }

// max(max((1 - t) p) - sum(t p) + 1, 0)
template <typename T>
Kernel categorical_hinge_kernel(const KernelArgs& a) {
  return row_values_kernel<T>(a, [](const T* t, const T* p, int64_t D) {
    double pos = 0.0;
    T neg = -std::numeric_limits<T>::infinity();
    for (int64_t j = 0; j < D; ++j) {
      pos += static_cast<double>(t[j] * p[j]);
      neg = std::max(neg, (T(1) - t[j]) * p[j]);
    }
    return std::max(static_cast<double>(neg) - pos + 1.0, 0.0);
  });
}

PKC_REGISTER_OP({.name = "metric_hinge", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(hinge_kernel)}});
PKC_REGISTER_OP({.name = "metric_squared_hinge", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(squared_hinge_kernel)}});
PKC_REGISTER_OP({.name = "metric_categorical_hinge", .infer = row_values_infer, .kernel = {PKC_FLOAT_KERNEL(categorical_hinge_kernel)}});

}  // namespace
}  // namespace pkc
