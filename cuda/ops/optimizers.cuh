// cuda/ops/optimizers.cuh — the fused optimizer update on the GPU (mirrors csrc/ops/optimizers.h):
// one kernel over every variable span of the flat parameter / gradient / slot buffers, with the
// gradient prologue (scale, accumulate, clip), decoupled weight decay, Keras 3 rule and EMA
// epilogue. The rules, prologue and epilogue are csrc/ops/optimizer_rules.h — the very functors
// the CPU runs — so nothing here restates a formula. Declarations only (plain C++).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/optimizer_rules.h"

namespace pkc::gpu {

// Same order as pkc::UpdateRule.
enum class GpuRule : int { sgd = 0, rmsprop, adam, adagrad, adadelta, adamax, nadam, ftrl, lion };
constexpr int kNumGpuRules = 9;

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
  float* slot[3] = {nullptr, nullptr, nullptr};  // slot order of optimizer_rules.h; null = off
  float* acc = nullptr;  // gradient accumulators (used by spans with use_acc)
  float* ema = nullptr;  // moving averages (used by spans with use_ema)
};

// Slots a rule cannot run without (sgd's momentum and rmsprop's momentum/average are options;
// adam's v_hat turns AMSGrad on).
int required_slots(GpuRule rule);

// spans: a DEVICE array of num_spans entries (the caller uploads it, e.g. from pinned memory on
// the same stream). At most 65535 spans (one grid row each); every span must lie inside the
// buffers, which the caller checked on the host copy of the table. Asynchronous on `stream`.
void launch_fused_update(GpuRule rule, const RuleScalars& s, const GpuFlatBuffers& buf,
                         const GpuUpdateSpan* spans, int num_spans, int64_t max_span_n, cudaStream_t stream);

}  // namespace pkc::gpu
