// cuda/ops/activations_param.cuh — CUDA launchers for the activations whose derivative needs the
// input (mirrors csrc/ops/activations_param.cpp): leaky_relu (Keras's general relu), elu, selu,
// gelu (exact / tanh form), softplus, silu, softsign; y = f(x) and dx = dy * f'(x). Declarations
// only (plain C++); asynchronous on `stream`; pointers are device pointers of n elements.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

enum class GpuParamAct : int { leaky_relu = 0, elu, selu, gelu, softplus, silu, softsign };

// The attrs of the CPU ops, parsed by the kernel factory (same defaults as the CPU).
struct GpuActParams {
  double negative_slope = 0.2, max_value = 0.0, threshold = 0.0;  // leaky_relu
  bool has_max = false;                                             // leaky_relu: max_value given
  double alpha = 1.0;                                               // elu
  bool approximate = true;                                          // gelu
};

template <typename T>
void launch_param_act(GpuParamAct act, const GpuActParams& p, const T* x, T* y, int64_t n, cudaStream_t stream);
template <typename T>
void launch_param_act_grad(GpuParamAct act, const GpuActParams& p, const T* dy, const T* x, T* dx, int64_t n,
                           cudaStream_t stream);

}  // namespace pkc::gpu
