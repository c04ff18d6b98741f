// Optimizer update kernels: one fused pass over one variable's span of the flat parameter,
// gradient and slot buffers -- gradient prologue (unscale, accumulate, clip), decoupled weight
// decay, the Keras 3 update rule, then the EMA epilogue. Per-step scalars (bias corrections,
// learning rate, clip factors) are computed by the caller (engine/optimizer.cpp); nothing here
// allocates or reduces across variables.
#pragma once
#include <cstdint>

namespace pkc {

enum class UpdateRule { sgd, rmsprop, adam, adagrad, adadelta, adamax, nadam, ftrl, lion };

// Hyperparameters and per-step scalars of the rule; each rule reads only its own fields. They
// are double here (as Keras holds them in Python) and rounded to float32 once per span, so
// 1 - beta is formed before rounding, as when Keras multiplies a float32 tensor by it.
struct UpdateScalars {
  double lr = 0;
  double momentum = 0;               // sgd, rmsprop
  bool nesterov = false;             // sgd
  double rho = 0, epsilon = 0;       // rmsprop, adadelta (epsilon also adam family, adagrad)
  bool centered = false;             // rmsprop
  double beta_1 = 0, beta_2 = 0;     // adam, adamax, nadam, lion
  bool amsgrad = false;              // adam
  double alpha = 0;                  // adam: lr*sqrt(1-b2^t)/(1-b1^t)
  double beta_1_power = 0;           // adamax: b1^t
  double u_t = 0, u_t_1 = 0, u_product_t = 0, u_product_t_1 = 0, beta_2_power = 0;  // nadam
  double lr_power = 0, l1 = 0, l2 = 0, l2_shrinkage = 0;  // ftrl (l2 includes beta/(2 lr))
};

// One variable's span. The effective gradient is
//   g_eff = clip_value((grad * grad_scale + acc) * acc_scale * clip_scale)
// (acc, when given, is then zeroed); the parameter first decays, p -= p * decay, then takes the
// rule's update; with `ema` the average follows, ema = ema*ema_momentum + p*(1-ema_momentum),
// and with ema_overwrite the parameter takes the average's value.
struct UpdateSpan {
  float* p = nullptr;
  float* g = nullptr;
  bool zero_grad = false;  // set g[i] = 0 once read (programs accumulate the next step's gradients into it)
  float* slot[3] = {nullptr, nullptr, nullptr};  // the rule's slots, in the order listed in the .cpp
  int64_t n = 0;
  float grad_scale = 1.f;
  float* acc = nullptr;
  float acc_scale = 1.f;
  float clip_scale = 1.f;
  float clip_value = 0.f;  // 0: no value clipping
  float decay = 0.f;       // weight_decay * lr, or 0
  float* ema = nullptr;
  float ema_momentum = 0.f;
  bool ema_overwrite = false;
};

void apply_update(UpdateRule rule, const UpdateScalars& s, const UpdateSpan& span);

// Accumulation-only step: acc += grad * grad_scale.
void accumulate_gradient(float* acc, const float* g, int64_t n, float grad_scale);

// EMA-only step (gradient accumulation steps that do not update): ema = ema*m + p*(1-m), and
// p = ema when `overwrite`.
void ema_update(float* ema, float* p, int64_t n, float momentum, bool overwrite);

// Sum of squares of (grad * grad_scale + acc) * acc_scale, in double, fixed order.
double gradient_sum_of_squares(const float* g, const float* acc, int64_t n, float grad_scale, float acc_scale);

// True when every value of g[0, n) is finite.
bool all_finite(const float* g, int64_t n);

}  // namespace pkc
