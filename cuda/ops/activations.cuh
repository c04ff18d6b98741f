// cuda/ops/activations.cuh — CUDA launchers for the fusable activations (mirrors
// csrc/ops/activations.{h,cpp}): y = act(x) and dx = act'(y) * dy from the output. GpuAct
// lists the activations in the order of pkc::Act. Declarations only (plain C++); asynchronous
// on `stream`; pointers are device pointers of n elements; x may alias y, dy may alias dx.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

enum class GpuAct : int { linear = 0, relu, sigmoid, tanh, relu6, hard_sigmoid, exponential };

template <typename T>
void launch_act(GpuAct act, const T* x, T* y, int64_t n, cudaStream_t stream);
template <typename T>
void launch_act_grad(GpuAct act, const T* dy, const T* y, T* dx, int64_t n, cudaStream_t stream);

}  // namespace pkc::gpu
