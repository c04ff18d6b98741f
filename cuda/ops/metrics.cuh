// cuda/ops/metrics.cuh — CUDA launchers for the metric accumulator ops (mirrors
// csrc/ops/metrics.cpp): metric_mean_update / metric_sum_update add a batch into a state vector
// in place (one block, double partial sums combined in a fixed tree), metric_assign(_add) write
// a broadcast value into a variable, batch_size writes a scalar. Declarations only (plain C++).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

namespace pkc::gpu {

constexpr int kGpuMetricMaxRank = 16;

// An index space of `rank` dims and one operand's strides over it (0 where it broadcasts).
struct GpuStridedSpace {
  int rank = 0;
  int64_t dims[kGpuMetricMaxRank] = {};
  int64_t stride[kGpuMetricMaxRank] = {};
};

// Values laid out as [outer, inner] (outer = prod(lead.dims)); weights (may be null) indexed by
// lead.stride. Mean: state[0] += total / per_sample, state[1] += (w ? wsum / per_sample :
// samples). Sum: state[0] += total. total = sum_o mean_or_sum_k(v[o, k]) * w[o].
template <typename T>
void launch_metric_accumulate(bool mean, T* state, const T* v, const T* w, const GpuStridedSpace& lead,
                              int64_t outer, int64_t inner, double per_sample, double samples, cudaStream_t stream);

// var[o] = (add ? var[o] : 0) + val[.] over the n elements of var (val strides in `space`).
template <typename T>
void launch_metric_assign(bool add, T* var, const T* val, int64_t n, const GpuStridedSpace& space,
                          cudaStream_t stream);

void launch_write_scalar(float* out, float value, cudaStream_t stream);

}  // namespace pkc::gpu
