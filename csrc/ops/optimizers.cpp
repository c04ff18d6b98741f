// Flat-buffer optimizer update loops (auto-vectorised by the compiler).
#include "ops/optimizers.h"

#include <cmath>

namespace pkc {

void sgd_update(float* p, const float* g, float* m, int64_t n, float lr, float momentum, bool nesterov) {
  if (!m) {
    for (int64_t i = 0; i < n; ++i) p[i] -= g[i] * lr;
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    m[i] = m[i] * momentum - g[i] * lr;
    p[i] += nesterov ? m[i] * momentum - g[i] * lr : m[i];
  }
}

void adam_update(float* p, const float* g, float* m, float* v, int64_t n, float alpha,
                 float one_minus_b1, float one_minus_b2, float eps) {
  for (int64_t i = 0; i < n; ++i) {
    float gi = g[i];
    m[i] += (gi - m[i]) * one_minus_b1;
    v[i] += (gi * gi - v[i]) * one_minus_b2;
    p[i] -= (m[i] * alpha) / (std::sqrt(v[i]) + eps);
  }
}

}  // namespace pkc
