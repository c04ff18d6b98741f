// Optimizer update kernels: one pass over a flat parameter/gradient/slot buffer, written with
// Keras 3's update rules and operation order. Scalars are computed by the caller (engine).
#pragma once
#include <cstdint>

namespace pkc {

// SGD: p -= lr*g, or with momentum m = momentum*m - lr*g; p += m (nesterov: p += momentum*m - lr*g).
void sgd_update(float* p, const float* g, float* m, int64_t n, float lr, float momentum, bool nesterov);

// Adam: m += (g-m)(1-b1); v += (g^2-v)(1-b2); p -= (m*alpha)/(sqrt(v)+eps),
// alpha = lr*sqrt(1-b2^t)/(1-b1^t) computed by the caller.
void adam_update(float* p, const float* g, float* m, float* v, int64_t n, float alpha,
                 float one_minus_b1, float one_minus_b2, float eps);

}  // namespace pkc
