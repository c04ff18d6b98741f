// cuda/registry/register_dropout.cpp — CUDA kernel factory for dropout: the mask key is
// (seed attr, step->iteration + step_offset attr, element index), read when the kernel runs, as
// on the CPU, so both backends drop the same elements at the same step.
#include <cstdint>

#include "core/error.h"
#include "cuda/ops/dropout.cuh"
#include "cuda/registry/register_common.h"

namespace pkc::gpu {
namespace {

template <typename T>
Kernel dropout_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const Shape xs = a.in[0].shape;
  PKC_CHECK(xs.size() <= static_cast<size_t>(kMaxDropoutRank), Value, a.node, ": dropout on CUDA supports rank <= ",
            kMaxDropoutRank, ", got input shape ", shape_str(xs));
  Shape ns = xs;
  if (a.attrs.has("noise_shape")) {  // -1 takes the input's dim, as on the CPU
    ns = a.attrs.ints("noise_shape");
    for (size_t d = 0; d < ns.size() && d < xs.size(); ++d)
      if (ns[d] < 0) ns[d] = xs[d];
  }
  PKC_CHECK(ns.size() == xs.size(), Value, a.node, ": noise_shape ", shape_str(ns), " must have the rank of the input ",
            shape_str(xs));
  const double rate_d = a.attrs.f("rate", 0.0);
  const float rate = static_cast<float>(rate_d);
  const T keep_prob = static_cast<T>(1.0 - rate_d);
  const uint64_t seed = static_cast<uint64_t>(a.attrs.i("seed", 0));
  const int64_t offset = a.attrs.i("step_offset", 0);
  const StepState* step = a.step;
  cudaStream_t s = kernel_stream(a);
  return [=] {
    const uint64_t t = static_cast<uint64_t>((step ? step->iteration : 0) + offset);
    launch_dropout<T>(x, y, xs.data(), ns.data(), static_cast<int>(xs.size()), seed, t, rate, keep_prob, s);
  };
}

}  // namespace

void register_dropout_kernels(std::vector<std::string>& done) {
  set_cuda_kernel("dropout", PKC_GPU_FLOAT_KERNEL(dropout_kernel), done);
}

}  // namespace pkc::gpu
