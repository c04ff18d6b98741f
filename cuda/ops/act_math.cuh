// cuda/ops/act_math.cuh — device formulas of the fusable activations, shared by the activation
// kernels and the Dense epilogues in this folder (the one include between cuda/ops files, so
// each formula exists once on the GPU). Same formulas and kink conventions as
// csrc/ops/activations.h. Empty for plain C++ (everything is inside __CUDACC__).
#pragma once

#if defined(__CUDACC__)
#include <stdexcept>

#include "cuda/ops/activations.cuh"

namespace pkc::gpu {

template <typename T>
__device__ __forceinline__ T d_sigmoid(T x) {
  if (x >= T(0)) return T(1) / (T(1) + exp(-x));
  T e = exp(x);
  return e / (T(1) + e);
}

template <GpuAct A, typename T>
__device__ __forceinline__ T act_fwd(T x) {
  if constexpr (A == GpuAct::relu) return x > T(0) ? x : T(0);
  else if constexpr (A == GpuAct::sigmoid) return d_sigmoid(x);
  else if constexpr (A == GpuAct::tanh) return tanh(x);
  else if constexpr (A == GpuAct::relu6) return fmin(fmax(x, T(0)), T(6));
  else if constexpr (A == GpuAct::hard_sigmoid) return fmin(fmax(x + T(3), T(0)), T(6)) / T(6);
  else if constexpr (A == GpuAct::exponential) return exp(x);
  else return x;
}

template <GpuAct A, typename T>
__device__ __forceinline__ T act_bwd(T dy, T y) {
  if constexpr (A == GpuAct::relu) return y > T(0) ? dy : T(0);
  else if constexpr (A == GpuAct::sigmoid) return dy * y * (T(1) - y);
  else if constexpr (A == GpuAct::tanh) return dy * (T(1) - y * y);
  else if constexpr (A == GpuAct::relu6) return (y > T(0) && y < T(6)) ? dy : T(0);
  else if constexpr (A == GpuAct::hard_sigmoid) return (y > T(0) && y < T(1)) ? dy / T(6) : T(0);
  else if constexpr (A == GpuAct::exponential) return dy * y;
  else return dy;
}

// Runs the statements with `A` bound to `act` as a compile-time constant (C++17: no templated
// lambdas), e.g. PKC_ACT_SWITCH(act, A, kernel<A><<<...>>>(...)).
#define PKC_ACT_CASE(A, value, ...)     \
  case value: {                         \
    constexpr ::pkc::gpu::GpuAct A = value; \
    __VA_ARGS__;                        \
  } break;
#define PKC_ACT_SWITCH(act, A, ...)                                        \
  switch (act) {                                                           \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::relu, __VA_ARGS__)                 \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::sigmoid, __VA_ARGS__)              \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::tanh, __VA_ARGS__)                 \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::relu6, __VA_ARGS__)                \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::hard_sigmoid, __VA_ARGS__)         \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::exponential, __VA_ARGS__)          \
    PKC_ACT_CASE(A, ::pkc::gpu::GpuAct::linear, __VA_ARGS__)               \
    default: throw std::invalid_argument("unknown activation id");         \
  }

}  // namespace pkc::gpu
#endif  // __CUDACC__
