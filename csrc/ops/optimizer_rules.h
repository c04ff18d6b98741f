// The Keras 3 optimizer update rules, written once for both backends: the CPU's fused update
// (csrc/ops/optimizers.cpp, g++) and the GPU's (cuda/ops/optimizers.cu, nvcc) instantiate these
// functors, so the formulas and their float32 operation order cannot drift apart. Header-only,
// `__host__ __device__` under nvcc (PKC_HD, empty for g++). Must stay free of std:: calls that
// have no device version, of allocation, and of anything but <cstdint> and <cmath>.
//
// Slot order per rule (null where an option is off):
//   sgd [momentum]  rmsprop [velocity, momentum, average_gradient]  adam [m, v, v_hat]
//   adagrad [accumulator]  adadelta [accumulated_grad, accumulated_delta_var]  adamax [m, u]
//   nadam [m, v]  ftrl [accumulator, linear]  lion [m]
#pragma once
#include <cmath>
#include <cstdint>

#include "core/host_device.h"

namespace pkc {

// std::max / std::min semantics (the first argument wins ties and NaN comparisons), which the
// CPU has always used; fmaxf/fminf would treat NaN differently.
PKC_HD inline float rule_max(float a, float b) { return (a < b) ? b : a; }
PKC_HD inline float rule_min(float a, float b) { return (b < a) ? b : a; }

// Per-step scalars rounded to float32 once (1 - beta formed in double first, as when Keras
// multiplies a float32 tensor by a Python float). Each rule reads only its own fields.
struct RuleScalars {
  float lr = 0, momentum = 0, rho = 0, one_minus_rho = 0, epsilon = 0;
  float beta_1 = 0, one_minus_beta_1 = 0, beta_2 = 0, one_minus_beta_2 = 0;
  float alpha = 0;                    // adam: lr*sqrt(1-b2^t)/(1-b1^t)
  float one_minus_beta_1_power = 0;   // adamax
  float u_t_1 = 0, one_minus_u_product_t_1 = 0, one_minus_u_t = 0, one_minus_u_product_t = 0,
        one_minus_beta_2_power = 0;   // nadam
  float neg_lr_power = 0, l1 = 0, two_l2 = 0, two_l2_shrinkage = 0;  // ftrl
  bool nesterov = false;
};

// From any struct with pkc::UpdateScalars' double fields (kept generic so this header needs no
// other pkc header). Host only.
template <class S>
inline RuleScalars round_rule_scalars(const S& s) {
  auto f = [](double x) { return static_cast<float>(x); };
  RuleScalars r;
  r.lr = f(s.lr);
  r.momentum = f(s.momentum);
  r.rho = f(s.rho);
  r.one_minus_rho = f(1.0 - s.rho);
  r.epsilon = f(s.epsilon);
  r.beta_1 = f(s.beta_1);
  r.one_minus_beta_1 = f(1.0 - s.beta_1);
  r.beta_2 = f(s.beta_2);
  r.one_minus_beta_2 = f(1.0 - s.beta_2);
  r.alpha = f(s.alpha);
  r.one_minus_beta_1_power = f(1.0 - s.beta_1_power);
  r.u_t_1 = f(s.u_t_1);
  r.one_minus_u_product_t_1 = f(1.0 - s.u_product_t_1);
  r.one_minus_u_t = f(1.0 - s.u_t);
  r.one_minus_u_product_t = f(1.0 - s.u_product_t);
  r.one_minus_beta_2_power = f(1.0 - s.beta_2_power);
  r.neg_lr_power = f(-s.lr_power);
  r.l1 = f(s.l1);
  r.two_l2 = f(2.0 * s.l2);
  r.two_l2_shrinkage = f(2.0 * s.l2_shrinkage);
  r.nesterov = s.nesterov;
  return r;
}

// Gradient prologue of one element: g_eff = clip_value((g * gs + acc) * as * cs); the
// accumulator (when given) is zeroed. cv <= 0: no value clipping.
PKC_HD inline float rule_effective_grad(float g, float* acc, int64_t i, float gs, float as, float cs, float cv) {
  g *= gs;
  if (acc) {
    g = (g + acc[i]) * as;
    acc[i] = 0.f;
  }
  g *= cs;
  if (cv > 0.f) g = rule_min(rule_max(g, -cv), cv);
  return g;
}

// EMA epilogue: ema = ema*m + p*(1-m) (om = 1 - m), and p takes the average with `overwrite`.
PKC_HD inline void rule_ema(float* ema, float& p, int64_t i, float m, float om, bool overwrite) {
  ema[i] = m * ema[i] + om * p;
  if (overwrite) p = ema[i];
}

struct SgdRule {
  float lr, mom;
  bool nesterov;
  float* m;
  PKC_HD SgdRule(const RuleScalars& s, float* const* slot) : lr(s.lr), mom(s.momentum), nesterov(s.nesterov), m(slot[0]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    if (!m) {
      p -= g * lr;
      return;
    }
    m[i] = m[i] * mom - g * lr;
    p += nesterov ? m[i] * mom - g * lr : m[i];
  }
};

struct RmsPropRule {
  float lr, rho, omr, eps, mom;
  float *v, *mo, *avg;
  PKC_HD RmsPropRule(const RuleScalars& s, float* const* slot)
      : lr(s.lr), rho(s.rho), omr(s.one_minus_rho), eps(s.epsilon), mom(s.momentum), v(slot[0]), mo(slot[1]),
        avg(slot[2]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    v[i] = rho * v[i] + omr * (g * g);
    float denom;
    if (avg) {
      avg[i] = rho * avg[i] + omr * g;
      denom = v[i] - avg[i] * avg[i] + eps;
    } else {
      denom = v[i] + eps;
    }
    float inc = (lr * g) / sqrtf(denom);
    if (mo) {
      mo[i] = mom * mo[i] + inc;
      p -= mo[i];
    } else {
      p -= inc;
    }
  }
};

// Adam; with AMSGRAD the denominator uses the running max of v (slot 2).
template <bool AMSGRAD>
struct AdamRule {
  float omb1, omb2, alpha, eps;
  float *__restrict__ m, *__restrict__ v, *__restrict__ vh;
  PKC_HD AdamRule(const RuleScalars& s, float* const* slot)
      : omb1(s.one_minus_beta_1), omb2(s.one_minus_beta_2), alpha(s.alpha), eps(s.epsilon), m(slot[0]), v(slot[1]),
        vh(slot[2]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    m[i] += (g - m[i]) * omb1;
    v[i] += (g * g - v[i]) * omb2;
    float vv = v[i];
    if constexpr (AMSGRAD) vv = vh[i] = rule_max(vh[i], v[i]);
    p -= (m[i] * alpha) / (sqrtf(vv) + eps);
  }
};

struct AdagradRule {
  float lr, eps;
  float* acc;
  PKC_HD AdagradRule(const RuleScalars& s, float* const* slot) : lr(s.lr), eps(s.epsilon), acc(slot[0]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    acc[i] += g * g;
    p -= (lr * g) / sqrtf(acc[i] + eps);
  }
};

struct AdadeltaRule {
  float lr, rho, omr, eps;
  float *ag, *ad;
  PKC_HD AdadeltaRule(const RuleScalars& s, float* const* slot)
      : lr(s.lr), rho(s.rho), omr(s.one_minus_rho), eps(s.epsilon), ag(slot[0]), ad(slot[1]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    ag[i] = rho * ag[i] + omr * (g * g);
    float delta = -((sqrtf(ad[i] + eps) * g) / sqrtf(ag[i] + eps));
    ad[i] = rho * ad[i] + omr * (delta * delta);
    p += lr * delta;
  }
};

struct AdamaxRule {
  float lr, omb1, b2, eps, ombp;
  float *m, *u;
  PKC_HD AdamaxRule(const RuleScalars& s, float* const* slot)
      : lr(s.lr), omb1(s.one_minus_beta_1), b2(s.beta_2), eps(s.epsilon), ombp(s.one_minus_beta_1_power), m(slot[0]),
        u(slot[1]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    m[i] += (g - m[i]) * omb1;
    u[i] = rule_max(b2 * u[i], fabsf(g));
    p -= (lr * m[i]) / (ombp * (u[i] + eps));
  }
};

struct NadamRule {
  float lr, omb1, omb2, eps, u_t_1, om_upt1, om_ut, om_upt, om_b2p;
  float *m, *v;
  PKC_HD NadamRule(const RuleScalars& s, float* const* slot)
      : lr(s.lr), omb1(s.one_minus_beta_1), omb2(s.one_minus_beta_2), eps(s.epsilon), u_t_1(s.u_t_1),
        om_upt1(s.one_minus_u_product_t_1), om_ut(s.one_minus_u_t), om_upt(s.one_minus_u_product_t),
        om_b2p(s.one_minus_beta_2_power), m(slot[0]), v(slot[1]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    m[i] += (g - m[i]) * omb1;
    v[i] += (g * g - v[i]) * omb2;
    float m_hat = (u_t_1 * m[i]) / om_upt1 + (om_ut * g) / om_upt;
    float v_hat = v[i] / om_b2p;
    p -= (m_hat * lr) / (sqrtf(v_hat) + eps);
  }
};

struct FtrlRule {
  float lr, neg_power, l1, two_l2, two_l2s;
  float *acc, *lin;
  PKC_HD FtrlRule(const RuleScalars& s, float* const* slot)
      : lr(s.lr), neg_power(s.neg_lr_power), l1(s.l1), two_l2(s.two_l2), two_l2s(s.two_l2_shrinkage), acc(slot[0]),
        lin(slot[1]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    float g_use = g + two_l2s * p;
    float new_acc = acc[i] + g * g;
    float new_pow = powf(new_acc, neg_power);
    lin[i] += g_use - ((new_pow - powf(acc[i], neg_power)) / lr) * p;
    float quadratic = new_pow / lr + two_l2;
    float clipped = rule_min(rule_max(lin[i], -l1), l1);
    p = (clipped - lin[i]) / quadratic;
    acc[i] = new_acc;
  }
};

struct LionRule {
  float lr, b1, omb1, b2, omb2;
  float* m;
  PKC_HD LionRule(const RuleScalars& s, float* const* slot)
      : lr(s.lr), b1(s.beta_1), omb1(s.one_minus_beta_1), b2(s.beta_2), omb2(s.one_minus_beta_2), m(slot[0]) {}
  PKC_HD void operator()(float& p, float g, int64_t i) const {
    float c = m[i] * b1 + g * omb1;
    float sign = c > 0.f ? 1.f : (c < 0.f ? -1.f : c);  // sign(0) = 0, sign(nan) = nan
    p -= lr * sign;
    m[i] = m[i] * b2 + g * omb2;
  }
};

}  // namespace pkc
