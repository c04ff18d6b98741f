// cuda/ops/optimizers.cuh — the fused optimizer update on the GPU (mirrors csrc/ops/optimizers.h):
// one kernel over every variable span of the flat parameter / gradient / slot buffers, with the
// same gradient prologue (scale, accumulate, clip), decoupled weight decay, Keras 3 rule and EMA
// epilogue, in the same float32 operation order as the CPU. Declarations only (plain C++).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

enum class GpuRule : int { sgd = 0, rmsprop, adam, adagrad, adadelta, adamax, nadam, ftrl, lion };

// Per-step scalars, already rounded to float32 the way csrc/ops/optimizers.cpp rounds them
// (1 - beta formed in double, then rounded). Each rule reads only its own fields.
struct GpuUpdateScalars {
  float lr = 0, momentum = 0, rho = 0, one_minus_rho = 0, epsilon = 0;
  float beta_1 = 0, one_minus_beta_1 = 0, beta_2 = 0, one_minus_beta_2 = 0;
  float alpha = 0;                    // adam
  float one_minus_beta_1_power = 0;   // adamax
  float u_t_1 = 0, one_minus_u_product_t_1 = 0, one_minus_u_t = 0, one_minus_u_product_t = 0,
        one_minus_beta_2_power = 0;   // nadam
  float neg_lr_power = 0, l1 = 0, two_l2 = 0, two_l2_shrinkage = 0;  // ftrl
  bool nesterov = false, centered = false, amsgrad = false;
};

// One variable's span of the flat buffers, with its gradient prologue and epilogue settings
// (as pkc::UpdateSpan, but as offsets so one table describes the whole pack).
struct GpuUpdateSpan {
  int64_t offset = 0, n = 0;
  float grad_scale = 1.f, acc_scale = 1.f, clip_scale = 1.f, clip_value = 0.f, decay = 0.f;
  float ema_momentum = 0.f;
  int use_acc = 0, use_ema = 0, ema_overwrite = 0;
};

struct GpuFlatBuffers {
  float* p = nullptr;
  const float* g = nullptr;
  float* slot[3] = {nullptr, nullptr, nullptr};
  float* acc = nullptr;  // gradient accumulators (used by spans with use_acc)
  float* ema = nullptr;  // moving averages (used by spans with use_ema)
};

// spans: a DEVICE array of num_spans entries (the caller uploads it, e.g. from pinned memory on
// the same stream). At most 65535 spans (one grid row each). Asynchronous on `stream`.
void launch_fused_update(GpuRule rule, const GpuUpdateScalars& s, const GpuFlatBuffers& buf,
                         const GpuUpdateSpan* spans, int num_spans, int64_t max_span_n, cudaStream_t stream);

}  // namespace pkc::gpu
