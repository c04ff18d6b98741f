// Fused per-span optimizer update: one templated driver loop (gradient prologue, weight decay,
// rule, EMA) instantiated once per rule, so each rule is written once as a small functor and
// the compiler inlines it into the loop. Deterministic: element-wise, no threads.
//
// Slot order per rule (UpdateSpan::slot; null where an option is off):
//   sgd [momentum]  rmsprop [velocity, momentum, average_gradient]  adam [m, v, v_hat]
//   adagrad [accumulator]  adadelta [accumulated_grad, accumulated_delta_var]  adamax [m, u]
//   nadam [m, v]  ftrl [accumulator, linear]  lion [m]
#include "ops/optimizers.h"

#include <algorithm>
#include <cmath>

namespace pkc {

namespace {

inline float f(double x) { return static_cast<float>(x); }

struct Sgd {
  float lr, mom;
  bool nesterov;
  float* m;
  Sgd(const UpdateScalars& s, const UpdateSpan& sp) : lr(f(s.lr)), mom(f(s.momentum)), nesterov(s.nesterov), m(sp.slot[0]) {}
  void operator()(float& p, float g, int64_t i) const {
    if (!m) {
      p -= g * lr;
      return;
    }
    m[i] = m[i] * mom - g * lr;
    p += nesterov ? m[i] * mom - g * lr : m[i];
  }
};

struct RmsProp {
  float lr, rho, omr, eps, mom;
  float *v, *mo, *avg;
  RmsProp(const UpdateScalars& s, const UpdateSpan& sp)
      : lr(f(s.lr)), rho(f(s.rho)), omr(f(1.0 - s.rho)), eps(f(s.epsilon)), mom(f(s.momentum)),
        v(sp.slot[0]), mo(sp.slot[1]), avg(sp.slot[2]) {}
  void operator()(float& p, float g, int64_t i) const {
    v[i] = rho * v[i] + omr * (g * g);
    float denom;
    if (avg) {
      avg[i] = rho * avg[i] + omr * g;
      denom = v[i] - avg[i] * avg[i] + eps;
    } else {
      denom = v[i] + eps;
    }
    float inc = (lr * g) / std::sqrt(denom);
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
  float *__restrict m, *__restrict v, *__restrict vh;
  AdamRule(const UpdateScalars& s, const UpdateSpan& sp)
      : omb1(f(1.0 - s.beta_1)), omb2(f(1.0 - s.beta_2)), alpha(f(s.alpha)), eps(f(s.epsilon)),
        m(sp.slot[0]), v(sp.slot[1]), vh(sp.slot[2]) {}
  void operator()(float& p, float g, int64_t i) const {
    m[i] += (g - m[i]) * omb1;
    v[i] += (g * g - v[i]) * omb2;
    float vv = v[i];
    if constexpr (AMSGRAD) vv = vh[i] = std::max(vh[i], v[i]);
    p -= (m[i] * alpha) / (std::sqrt(vv) + eps);
  }
};
using Adam = AdamRule<false>;
using AdamAmsgrad = AdamRule<true>;

struct Adagrad {
  float lr, eps;
  float* acc;
  Adagrad(const UpdateScalars& s, const UpdateSpan& sp) : lr(f(s.lr)), eps(f(s.epsilon)), acc(sp.slot[0]) {}
  void operator()(float& p, float g, int64_t i) const {
    acc[i] += g * g;
    p -= (lr * g) / std::sqrt(acc[i] + eps);
  }
};

struct Adadelta {
  float lr, rho, omr, eps;
  float *ag, *ad;
  Adadelta(const UpdateScalars& s, const UpdateSpan& sp)
      : lr(f(s.lr)), rho(f(s.rho)), omr(f(1.0 - s.rho)), eps(f(s.epsilon)), ag(sp.slot[0]), ad(sp.slot[1]) {}
  void operator()(float& p, float g, int64_t i) const {
    ag[i] = rho * ag[i] + omr * (g * g);
    float delta = -((std::sqrt(ad[i] + eps) * g) / std::sqrt(ag[i] + eps));
    ad[i] = rho * ad[i] + omr * (delta * delta);
    p += lr * delta;
  }
};

struct Adamax {
  float lr, omb1, b2, eps, ombp;
  float *m, *u;
  Adamax(const UpdateScalars& s, const UpdateSpan& sp)
      : lr(f(s.lr)), omb1(f(1.0 - s.beta_1)), b2(f(s.beta_2)), eps(f(s.epsilon)), ombp(f(1.0 - s.beta_1_power)),
        m(sp.slot[0]), u(sp.slot[1]) {}
  void operator()(float& p, float g, int64_t i) const {
    m[i] += (g - m[i]) * omb1;
    u[i] = std::max(b2 * u[i], std::fabs(g));
    p -= (lr * m[i]) / (ombp * (u[i] + eps));
  }
};

struct Nadam {
  float lr, omb1, omb2, eps, u_t_1, om_upt1, om_ut, om_upt, om_b2p;
  float *m, *v;
  Nadam(const UpdateScalars& s, const UpdateSpan& sp)
      : lr(f(s.lr)), omb1(f(1.0 - s.beta_1)), omb2(f(1.0 - s.beta_2)), eps(f(s.epsilon)), u_t_1(f(s.u_t_1)),
        om_upt1(f(1.0 - s.u_product_t_1)), om_ut(f(1.0 - s.u_t)), om_upt(f(1.0 - s.u_product_t)),
        om_b2p(f(1.0 - s.beta_2_power)), m(sp.slot[0]), v(sp.slot[1]) {}
  void operator()(float& p, float g, int64_t i) const {
    m[i] += (g - m[i]) * omb1;
    v[i] += (g * g - v[i]) * omb2;
    float m_hat = (u_t_1 * m[i]) / om_upt1 + (om_ut * g) / om_upt;
    float v_hat = v[i] / om_b2p;
    p -= (m_hat * lr) / (std::sqrt(v_hat) + eps);
  }
};

struct Ftrl {
  float lr, neg_power, l1, two_l2, two_l2s;
  float *acc, *lin;
  Ftrl(const UpdateScalars& s, const UpdateSpan& sp)
      : lr(f(s.lr)), neg_power(f(-s.lr_power)), l1(f(s.l1)), two_l2(f(2.0 * s.l2)), two_l2s(f(2.0 * s.l2_shrinkage)),
        acc(sp.slot[0]), lin(sp.slot[1]) {}
  void operator()(float& p, float g, int64_t i) const {
    float g_use = g + two_l2s * p;
    float new_acc = acc[i] + g * g;
    float new_pow = std::pow(new_acc, neg_power);
    lin[i] += g_use - ((new_pow - std::pow(acc[i], neg_power)) / lr) * p;
    float quadratic = new_pow / lr + two_l2;
    float clipped = std::min(std::max(lin[i], -l1), l1);
    p = (clipped - lin[i]) / quadratic;
    acc[i] = new_acc;
  }
};

struct Lion {
  float lr, b1, omb1, b2, omb2;
  float* m;
  Lion(const UpdateScalars& s, const UpdateSpan& sp)
      : lr(f(s.lr)), b1(f(s.beta_1)), omb1(f(1.0 - s.beta_1)), b2(f(s.beta_2)), omb2(f(1.0 - s.beta_2)), m(sp.slot[0]) {}
  void operator()(float& p, float g, int64_t i) const {
    float c = m[i] * b1 + g * omb1;
    float sign = c > 0.f ? 1.f : (c < 0.f ? -1.f : c);  // sign(0) = 0, sign(nan) = nan
    p -= lr * sign;
    m[i] = m[i] * b2 + g * omb2;
  }
};

// The common case (no accumulation, clip-value or EMA): a branch-free loop the compiler
// vectorises; the same operations in the same order as the general loop in run().
template <class Rule, bool DECAY>
void run_plain(const Rule& rule, const UpdateSpan& sp) {
  const float gs = sp.grad_scale, cs = sp.clip_scale, decay = sp.decay;
  float* __restrict pp = sp.p;
  const float* __restrict gg = sp.g;
  for (int64_t i = 0; i < sp.n; ++i) {
    float g = gg[i] * gs;
    g *= cs;
    float p = pp[i];
    if constexpr (DECAY) p -= p * decay;
    rule(p, g, i);
    pp[i] = p;
  }
}

template <class Rule>
void run(const UpdateScalars& s, const UpdateSpan& sp) {
  const Rule rule(s, sp);
  const float gs = sp.grad_scale, as = sp.acc_scale, cs = sp.clip_scale, cv = sp.clip_value;
  const float decay = sp.decay, em = sp.ema_momentum, omem = 1.f - sp.ema_momentum;
  float* acc = sp.acc;
  if (!acc && !(cv > 0.f) && !sp.ema)
    return decay != 0.f ? run_plain<Rule, true>(rule, sp) : run_plain<Rule, false>(rule, sp);
  for (int64_t i = 0; i < sp.n; ++i) {
    float g = sp.g[i] * gs;
    if (acc) {
      g = (g + acc[i]) * as;
      acc[i] = 0.f;
    }
    g *= cs;
    if (cv > 0.f) g = std::min(std::max(g, -cv), cv);
    float p = sp.p[i];
    if (decay != 0.f) p -= p * decay;
    rule(p, g, i);
    if (sp.ema) {
      sp.ema[i] = em * sp.ema[i] + omem * p;
      if (sp.ema_overwrite) p = sp.ema[i];
    }
    sp.p[i] = p;
  }
}

}  // namespace

void apply_update(UpdateRule rule, const UpdateScalars& s, const UpdateSpan& span) {
  switch (rule) {
    case UpdateRule::sgd: return run<Sgd>(s, span);
    case UpdateRule::rmsprop: return run<RmsProp>(s, span);
    case UpdateRule::adam: return span.slot[2] ? run<AdamAmsgrad>(s, span) : run<Adam>(s, span);
    case UpdateRule::adagrad: return run<Adagrad>(s, span);
    case UpdateRule::adadelta: return run<Adadelta>(s, span);
    case UpdateRule::adamax: return run<Adamax>(s, span);
    case UpdateRule::nadam: return run<Nadam>(s, span);
    case UpdateRule::ftrl: return run<Ftrl>(s, span);
    case UpdateRule::lion: return run<Lion>(s, span);
  }
}

void accumulate_gradient(float* acc, const float* g, int64_t n, float grad_scale) {
  for (int64_t i = 0; i < n; ++i) acc[i] += g[i] * grad_scale;
}

void ema_update(float* ema, float* p, int64_t n, float momentum, bool overwrite) {
  const float om = 1.f - momentum;
  for (int64_t i = 0; i < n; ++i) {
    ema[i] = momentum * ema[i] + om * p[i];
    if (overwrite) p[i] = ema[i];
  }
}

double gradient_sum_of_squares(const float* g, const float* acc, int64_t n, float grad_scale, float acc_scale) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    float v = g[i] * grad_scale;
    if (acc) v = (v + acc[i]) * acc_scale;
    sum += static_cast<double>(v) * v;
  }
  return sum;
}

bool all_finite(const float* g, int64_t n) {
  bool ok = true;
  for (int64_t i = 0; i < n; ++i) ok &= std::isfinite(g[i]);
  return ok;
}

}  // namespace pkc
