// Fused per-span optimizer update: one templated driver loop (gradient prologue, weight decay,
// rule, EMA) instantiated once per rule; the rule functors, the prologue and the EMA step are
// in ops/optimizer_rules.h, shared with the CUDA kernel, and must not be re-written here.
// Deterministic: element-wise, no threads. Slot order per rule: see optimizer_rules.h.
#include "ops/optimizers.h"

#include "ops/optimizer_rules.h"

#include <algorithm>
#include <cmath>

namespace pkc {

namespace {

// The rules themselves live in optimizer_rules.h (shared with the CUDA update kernel); here
// each is bound to one span's slots.
template <class R>
struct Bound : R {
  Bound(const RuleScalars& s, const UpdateSpan& sp) : R(s, sp.slot) {}
};
using Sgd = Bound<SgdRule>;
using RmsProp = Bound<RmsPropRule>;
using Adam = Bound<AdamRule<false>>;
using AdamAmsgrad = Bound<AdamRule<true>>;
using Adagrad = Bound<AdagradRule>;
using Adadelta = Bound<AdadeltaRule>;
using Adamax = Bound<AdamaxRule>;
using Nadam = Bound<NadamRule>;
using Ftrl = Bound<FtrlRule>;
using Lion = Bound<LionRule>;

// The common case (no accumulation, clip-value or EMA): a branch-free loop the compiler
// vectorises; the same operations in the same order as the general loop in run().
template <class Rule, bool DECAY, bool ZERO>
void run_plain(const Rule& rule, const UpdateSpan& sp) {
  const float gs = sp.grad_scale, cs = sp.clip_scale, decay = sp.decay;
  float* __restrict pp = sp.p;
  float* __restrict gg = sp.g;
  for (int64_t i = 0; i < sp.n; ++i) {
    float g = gg[i] * gs;
    if constexpr (ZERO) gg[i] = 0.f;
    g *= cs;
    float p = pp[i];
    if constexpr (DECAY) p -= p * decay;
    rule(p, g, i);
    pp[i] = p;
  }
}

template <class Rule>
void run(const UpdateScalars& s, const UpdateSpan& sp) {
  const Rule rule(round_rule_scalars(s), sp);
  const float gs = sp.grad_scale, as = sp.acc_scale, cs = sp.clip_scale, cv = sp.clip_value;
  const float decay = sp.decay, em = sp.ema_momentum, omem = 1.f - sp.ema_momentum;
  float* acc = sp.acc;
  if (!acc && !(cv > 0.f) && !sp.ema) {
    if (sp.zero_grad)
      return decay != 0.f ? run_plain<Rule, true, true>(rule, sp) : run_plain<Rule, false, true>(rule, sp);
    return decay != 0.f ? run_plain<Rule, true, false>(rule, sp) : run_plain<Rule, false, false>(rule, sp);
  }
  for (int64_t i = 0; i < sp.n; ++i) {
    const float g = rule_effective_grad(sp.g[i], acc, i, gs, as, cs, cv);
    if (sp.zero_grad) sp.g[i] = 0.f;
    float p = sp.p[i];
    if (decay != 0.f) p -= p * decay;
    rule(p, g, i);
    if (sp.ema) rule_ema(sp.ema, p, i, em, omem, sp.ema_overwrite);
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
