// cuda/ops/activations_param.cu — kernels and launchers for activations_param.cuh: one
// grid-stride kernel per activation, the parameters passed by value. The formulas restate
// csrc/ops/activations_param.cpp term for term (same stable forms: expm1, erfc, sigmoid(2u) for
// the tanh gelu, max(x,0)+log1p(e^-|x|) for softplus); keep the two in step.
#include "cuda/ops/activations_param.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"
#include "cuda/ops/act_math.cuh"

namespace pkc::gpu {
namespace {

constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
constexpr double kSeluScale = 1.0507009873554804934193349852946;
constexpr double kSqrtHalf = 0.70710678118654752440;
constexpr double kInvSqrt2Pi = 0.39894228040143267794;
constexpr double kSqrt2OverPi = 0.79788456080286535588;
constexpr double kCubic = 0.044715;

template <typename T>
__device__ __forceinline__ T gelu_inner(T x) { return T(kSqrt2OverPi) * (x + T(kCubic) * (x * x * x)); }

template <GpuParamAct A, typename T>
__device__ __forceinline__ T pa_fwd(const GpuActParams& p, T x) {
  if constexpr (A == GpuParamAct::leaky_relu) {
    const T t = T(p.threshold);
    T pos = x > t ? x : T(0);
    if (p.has_max) {
      pos = pos < T(0) ? T(0) : pos;  // std::min(std::max(pos, 0), max) with std:: NaN rules
      pos = T(p.max_value) < pos ? T(p.max_value) : pos;
    }
    return x < t ? pos - T(p.negative_slope) * (t - x) : pos;
  } else if constexpr (A == GpuParamAct::elu) {
    return x > T(0) ? x : T(p.alpha) * expm1(x);
  } else if constexpr (A == GpuParamAct::selu) {
    return T(kSeluScale) * (x > T(0) ? x : T(kSeluAlpha) * expm1(x));
  } else if constexpr (A == GpuParamAct::gelu) {
    if (p.approximate) return x * d_sigmoid(T(2) * gelu_inner(x));
    return T(0.5) * x * erfc(-x * T(kSqrtHalf));
  } else if constexpr (A == GpuParamAct::softplus) {
    return (x < T(0) ? T(0) : x) + log1p(exp(-fabs(x)));
  } else if constexpr (A == GpuParamAct::silu) {
    return x * d_sigmoid(x);
  } else {
    return x / (fabs(x) + T(1));
  }
}

template <GpuParamAct A, typename T>
__device__ __forceinline__ T pa_df(const GpuActParams& p, T x) {
  if constexpr (A == GpuParamAct::leaky_relu) {
    const T t = T(p.threshold);
    const T d = x > t && (!p.has_max || (x > T(0) && x < T(p.max_value))) ? T(1) : T(0);
    return x < t ? d + T(p.negative_slope) : d;
  } else if constexpr (A == GpuParamAct::elu) {
    return x > T(0) ? T(1) : T(p.alpha) * exp(x);
  } else if constexpr (A == GpuParamAct::selu) {
    return x > T(0) ? T(kSeluScale) : T(kSeluScale) * T(kSeluAlpha) * exp(x);
  } else if constexpr (A == GpuParamAct::gelu) {
    if (p.approximate) {
      const T s = d_sigmoid(T(2) * gelu_inner(x));
      const T ss = s * (T(1) - s);
      if (ss == T(0)) return s;  // saturated: avoid 0 * inf once x^2 overflows
      const T du = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x * x);
      return s + T(2) * x * ss * du;
    }
    return T(0.5) * erfc(-x * T(kSqrtHalf)) + x * T(kInvSqrt2Pi) * exp(T(-0.5) * x * x);
  } else if constexpr (A == GpuParamAct::softplus) {
    return d_sigmoid(x);
  } else if constexpr (A == GpuParamAct::silu) {
    const T s = d_sigmoid(x);
    return s * (T(1) + x * (T(1) - s));
  } else {
    const T d = fabs(x) + T(1);
    return T(1) / (d * d);
  }
}

template <GpuParamAct A, typename T>
__global__ void pa_kernel(GpuActParams p, const T* x, T* y, int64_t n) {
  PKC_GRID_STRIDE_LOOP(i, n) { y[i] = pa_fwd<A>(p, x[i]); }
}

template <GpuParamAct A, typename T>
__global__ void pa_grad_kernel(GpuActParams p, const T* dy, const T* x, T* dx, int64_t n) {
  PKC_GRID_STRIDE_LOOP(i, n) { dx[i] = dy[i] * pa_df<A>(p, x[i]); }
}

#define PKC_PA_CASE(A, value, ...) \
  case value: {                    \
    constexpr GpuParamAct A = value; \
    __VA_ARGS__;                   \
  } break;
#define PKC_PA_SWITCH(act, A, ...)                              \
  switch (act) {                                                \
    PKC_PA_CASE(A, GpuParamAct::leaky_relu, __VA_ARGS__)        \
    PKC_PA_CASE(A, GpuParamAct::elu, __VA_ARGS__)               \
    PKC_PA_CASE(A, GpuParamAct::selu, __VA_ARGS__)              \
    PKC_PA_CASE(A, GpuParamAct::gelu, __VA_ARGS__)              \
    PKC_PA_CASE(A, GpuParamAct::softplus, __VA_ARGS__)          \
    PKC_PA_CASE(A, GpuParamAct::silu, __VA_ARGS__)              \
    PKC_PA_CASE(A, GpuParamAct::softsign, __VA_ARGS__)          \
    default: throw std::invalid_argument("unknown parametrised activation id"); \
  }

void check_args(const char* op, int64_t n, std::initializer_list<const void*> ptrs) {
  if (n < 0) throw std::invalid_argument(std::string(op) + ": negative size " + std::to_string(n));
  if (n > 0)
    for (const void* p : ptrs)
      if (p == nullptr) throw std::invalid_argument(std::string(op) + ": null device pointer for a non-empty buffer");
}

}  // namespace

template <typename T>
void launch_param_act(GpuParamAct act, const GpuActParams& p, const T* x, T* y, int64_t n, cudaStream_t stream) {
  check_args("activation", n, {x, y});
  if (n == 0) return;
  PKC_PA_SWITCH(act, A, pa_kernel<A, T><<<grid_size(n), kBlockSize, 0, stream>>>(p, x, y, n))
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_param_act_grad(GpuParamAct act, const GpuActParams& p, const T* dy, const T* x, T* dx, int64_t n,
                           cudaStream_t stream) {
  check_args("activation gradient", n, {dy, x, dx});
  if (n == 0) return;
  PKC_PA_SWITCH(act, A, pa_grad_kernel<A, T><<<grid_size(n), kBlockSize, 0, stream>>>(p, dy, x, dx, n))
  PKC_CUDA_CHECK_LAUNCH();
}

template void launch_param_act<float>(GpuParamAct, const GpuActParams&, const float*, float*, int64_t, cudaStream_t);
template void launch_param_act<double>(GpuParamAct, const GpuActParams&, const double*, double*, int64_t,
                                       cudaStream_t);
template void launch_param_act_grad<float>(GpuParamAct, const GpuActParams&, const float*, const float*, float*,
                                           int64_t, cudaStream_t);
template void launch_param_act_grad<double>(GpuParamAct, const GpuActParams&, const double*, const double*, double*,
                                            int64_t, cudaStream_t);

}  // namespace pkc::gpu
