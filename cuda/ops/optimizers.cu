// cuda/ops/optimizers.cu — the fused update kernel: grid row y = one variable span, grid-stride
// over its elements; each Keras rule is a small device functor (same formulas and float32
// operation order as csrc/ops/optimizers.cpp). Element-wise only: no reductions, no races.
#include "cuda/ops/optimizers.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"

namespace pkc::gpu {
namespace {

struct Sgd {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float* m = slot[0];
    if (!m) {
      p -= g * s.lr;
      return;
    }
    m[i] = m[i] * s.momentum - g * s.lr;
    p += s.nesterov ? m[i] * s.momentum - g * s.lr : m[i];
  }
};

struct RmsProp {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float *v = slot[0], *mo = slot[1], *avg = slot[2];
    v[i] = s.rho * v[i] + s.one_minus_rho * (g * g);
    float denom;
    if (avg) {
      avg[i] = s.rho * avg[i] + s.one_minus_rho * g;
      denom = v[i] - avg[i] * avg[i] + s.epsilon;
    } else {
      denom = v[i] + s.epsilon;
    }
    const float inc = (s.lr * g) / sqrtf(denom);
    if (mo) {
      mo[i] = s.momentum * mo[i] + inc;
      p -= mo[i];
    } else {
      p -= inc;
    }
  }
};

struct Adam {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float *m = slot[0], *v = slot[1], *vh = slot[2];
    m[i] += (g - m[i]) * s.one_minus_beta_1;
    v[i] += (g * g - v[i]) * s.one_minus_beta_2;
    float vv = v[i];
    if (vh) vv = vh[i] = fmaxf(vh[i], v[i]);
    p -= (m[i] * s.alpha) / (sqrtf(vv) + s.epsilon);
  }
};

struct Adagrad {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float* acc = slot[0];
    acc[i] += g * g;
    p -= (s.lr * g) / sqrtf(acc[i] + s.epsilon);
  }
};

struct Adadelta {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float *ag = slot[0], *ad = slot[1];
    ag[i] = s.rho * ag[i] + s.one_minus_rho * (g * g);
    const float delta = -((sqrtf(ad[i] + s.epsilon) * g) / sqrtf(ag[i] + s.epsilon));
    ad[i] = s.rho * ad[i] + s.one_minus_rho * (delta * delta);
    p += s.lr * delta;
  }
};

struct Adamax {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float *m = slot[0], *u = slot[1];
    m[i] += (g - m[i]) * s.one_minus_beta_1;
    u[i] = fmaxf(s.beta_2 * u[i], fabsf(g));
    p -= (s.lr * m[i]) / (s.one_minus_beta_1_power * (u[i] + s.epsilon));
  }
};

struct Nadam {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float *m = slot[0], *v = slot[1];
    m[i] += (g - m[i]) * s.one_minus_beta_1;
    v[i] += (g * g - v[i]) * s.one_minus_beta_2;
    const float m_hat = (s.u_t_1 * m[i]) / s.one_minus_u_product_t_1 + (s.one_minus_u_t * g) / s.one_minus_u_product_t;
    const float v_hat = v[i] / s.one_minus_beta_2_power;
    p -= (m_hat * s.lr) / (sqrtf(v_hat) + s.epsilon);
  }
};

struct Ftrl {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float *acc = slot[0], *lin = slot[1];
    const float g_use = g + s.two_l2_shrinkage * p;
    const float new_acc = acc[i] + g * g;
    const float new_pow = powf(new_acc, s.neg_lr_power);
    lin[i] += g_use - ((new_pow - powf(acc[i], s.neg_lr_power)) / s.lr) * p;
    const float quadratic = new_pow / s.lr + s.two_l2;
    const float clipped = fminf(fmaxf(lin[i], -s.l1), s.l1);
    p = (clipped - lin[i]) / quadratic;
    acc[i] = new_acc;
  }
};

struct Lion {
  __device__ static void step(const GpuUpdateScalars& s, float* const* slot, float& p, float g, int64_t i) {
    float* m = slot[0];
    const float c = m[i] * s.beta_1 + g * s.one_minus_beta_1;
    const float sign = c > 0.f ? 1.f : (c < 0.f ? -1.f : c);  // sign(0) = 0, sign(nan) = nan
    p -= s.lr * sign;
    m[i] = m[i] * s.beta_2 + g * s.one_minus_beta_2;
  }
};

template <class Rule>
__global__ void fused_update_kernel(GpuUpdateScalars s, GpuFlatBuffers buf, const GpuUpdateSpan* spans) {
  const GpuUpdateSpan sp = spans[blockIdx.y];
  // Slot pointers shifted to this span, so rules index them with the span-local i.
  float* slot[3];
  for (int k = 0; k < 3; ++k) slot[k] = buf.slot[k] ? buf.slot[k] + sp.offset : nullptr;
  float* p_ptr = buf.p + sp.offset;
  const float* g_ptr = buf.g + sp.offset;
  float* acc = sp.use_acc ? buf.acc + sp.offset : nullptr;
  float* ema = sp.use_ema ? buf.ema + sp.offset : nullptr;
  const float omem = 1.f - sp.ema_momentum;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < sp.n;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    float g = g_ptr[i] * sp.grad_scale;
    if (acc) {
      g = (g + acc[i]) * sp.acc_scale;
      acc[i] = 0.f;
    }
    g *= sp.clip_scale;
    if (sp.clip_value > 0.f) g = fminf(fmaxf(g, -sp.clip_value), sp.clip_value);
    float p = p_ptr[i];
    if (sp.decay != 0.f) p -= p * sp.decay;
    Rule::step(s, slot, p, g, i);
    if (ema) {
      ema[i] = sp.ema_momentum * ema[i] + omem * p;
      if (sp.ema_overwrite) p = ema[i];
    }
    p_ptr[i] = p;
  }
}

template <class Rule>
void launch_rule(const GpuUpdateScalars& s, const GpuFlatBuffers& buf, const GpuUpdateSpan* spans, int num_spans,
                 int64_t max_span_n, cudaStream_t stream) {
  const dim3 grid(grid_size(max_span_n), static_cast<unsigned>(num_spans));
  fused_update_kernel<Rule><<<grid, kBlockSize, 0, stream>>>(s, buf, spans);
}

}  // namespace

void launch_fused_update(GpuRule rule, const GpuUpdateScalars& s, const GpuFlatBuffers& buf,
                         const GpuUpdateSpan* spans, int num_spans, int64_t max_span_n, cudaStream_t stream) {
  if (num_spans < 0 || num_spans > 65535)
    throw std::invalid_argument("fused_update: " + std::to_string(num_spans) + " spans (at most 65535)");
  if (num_spans == 0 || max_span_n <= 0) return;
  if (buf.p == nullptr || buf.g == nullptr || spans == nullptr)
    throw std::invalid_argument("fused_update: null parameter, gradient or span table pointer");
  static const int kSlotsNeeded[] = {0, 1, 2, 1, 2, 2, 2, 2, 1};  // required slots per rule (sgd's is optional)
  const int need = kSlotsNeeded[static_cast<int>(rule)];
  for (int k = 0; k < need; ++k)
    if (buf.slot[k] == nullptr)
      throw std::invalid_argument("fused_update: rule " + std::to_string(static_cast<int>(rule)) + " needs slot " +
                                  std::to_string(k));
  switch (rule) {
    case GpuRule::sgd: launch_rule<Sgd>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::rmsprop: launch_rule<RmsProp>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adam: launch_rule<Adam>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adagrad: launch_rule<Adagrad>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adadelta: launch_rule<Adadelta>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::adamax: launch_rule<Adamax>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::nadam: launch_rule<Nadam>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::ftrl: launch_rule<Ftrl>(s, buf, spans, num_spans, max_span_n, stream); break;
    case GpuRule::lion: launch_rule<Lion>(s, buf, spans, num_spans, max_span_n, stream); break;
    default: throw std::invalid_argument("fused_update: unknown rule");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

}  // namespace pkc::gpu
