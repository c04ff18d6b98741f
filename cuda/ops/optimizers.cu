// cuda/ops/optimizers.cu — the fused update kernel: grid row y = one variable span, grid-stride
// over its elements; each element runs the shared prologue, decay, rule functor and EMA from
// csrc/ops/optimizer_rules.h in the CPU's order. Element-wise only: no reductions, no races.
// Must not define update formulas of its own.
#include "cuda/ops/optimizers.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"

namespace pkc::gpu {
namespace {

template <class Rule>
__global__ void fused_update_kernel(RuleScalars s, GpuFlatBuffers buf, const GpuUpdateSpan* spans) {
  const GpuUpdateSpan sp = spans[blockIdx.y];
  // Slot pointers shifted to this span, so the rule indexes them with the span-local i.
  float* slot[3];
  for (int k = 0; k < 3; ++k) slot[k] = buf.slot[k] ? buf.slot[k] + sp.offset : nullptr;
  const Rule rule(s, slot);
  float* p_ptr = buf.p + sp.offset;
  const float* g_ptr = buf.g + sp.offset;
  float* acc = sp.use_acc ? buf.acc + sp.offset : nullptr;
  float* ema = sp.use_ema ? buf.ema + sp.offset : nullptr;
  const float omem = 1.f - sp.ema_momentum;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < sp.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const float g = rule_effective_grad(g_ptr[i], acc, i, sp.grad_scale, sp.acc_scale, sp.clip_scale, sp.clip_value);
    float p = p_ptr[i];
    if (sp.decay != 0.f) p -= p * sp.decay;
    rule(p, g, i);
    if (ema) rule_ema(ema, p, i, sp.ema_momentum, omem, sp.ema_overwrite != 0);
    p_ptr[i] = p;
  }
}

template <class Rule>
void launch_rule(const RuleScalars& s, const GpuFlatBuffers& buf, const GpuUpdateSpan* spans, int num_spans,
                 int64_t max_span_n, cudaStream_t stream) {
  const dim3 grid(grid_size(max_span_n), static_cast<unsigned>(num_spans));
  fused_update_kernel<Rule><<<grid, kBlockSize, 0, stream>>>(s, buf, spans);
}

}  // namespace

int required_slots(GpuRule rule) {
  static const int kSlotsNeeded[kNumGpuRules] = {0, 1, 2, 1, 2, 2, 2, 2, 1};
  const int r = static_cast<int>(rule);
  if (r < 0 || r >= kNumGpuRules) throw std::invalid_argument("fused_update: unknown rule id " + std::to_string(r));
  return kSlotsNeeded[r];
}

void launch_fused_update(GpuRule rule, const RuleScalars& s, const GpuFlatBuffers& buf,
                         const GpuUpdateSpan* spans, int num_spans, int64_t max_span_n, cudaStream_t stream) {
  const int need = required_slots(rule);
  if (num_spans < 0 || num_spans > 65535)
    throw std::invalid_argument("fused_update: " + std::to_string(num_spans) + " spans (at most 65535)");
  if (max_span_n < 0) throw std::invalid_argument("fused_update: negative span size");
  if (num_spans == 0 || max_span_n == 0) return;
  if (buf.p == nullptr || buf.g == nullptr || spans == nullptr)
    throw std::invalid_argument("fused_update: null parameter, gradient or span table pointer");
  for (int k = 0; k < need; ++k)
    if (buf.slot[k] == nullptr)
      throw std::invalid_argument("fused_update: rule " + std::to_string(static_cast<int>(rule)) + " needs slot " +
                                  std::to_string(k));
  switch (rule) {
    case GpuRule::sgd: launch_rule<SgdRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::rmsprop: launch_rule<RmsPropRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adam:
      if (buf.slot[2]) launch_rule<AdamRule<true>>(s, buf, spans, num_spans, max_span_n, stream);
      else launch_rule<AdamRule<false>>(s, buf, spans, num_spans, max_span_n, stream);
      break;
    case GpuRule::adagrad: launch_rule<AdagradRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adadelta: launch_rule<AdadeltaRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adamax: launch_rule<AdamaxRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::nadam: launch_rule<NadamRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::ftrl: launch_rule<FtrlRule>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::lion: launch_rule<LionRule>(s, buf, spans, num_spans, max_span_n, stream); break;
  }
  PKC_CUDA_CHECK_LAUNCH();
}

}  // namespace pkc::gpu
