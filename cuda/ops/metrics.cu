// cuda/ops/metrics.cu — kernels for metrics.cuh. The accumulators run as one block: each thread
// folds its strided share of the lead elements in double, then the fixed-order block_sum
// combines them, and thread 0 updates the state — deterministic, no atomics.
#include "cuda/ops/metrics.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

constexpr int kMetricBlock = 256;

__device__ __forceinline__ int64_t strided_offset(const GpuStridedSpace& s, int64_t o) {
  int64_t off = 0;
  for (int d = s.rank - 1; d >= 0; --d) {
    off += (o % s.dims[d]) * s.stride[d];
    o /= s.dims[d];
  }
  return off;
}

template <typename T>
__global__ void accumulate_kernel(bool mean, T* state, const T* v, const T* w, GpuStridedSpace lead, int64_t outer,
                                  int64_t inner, double per_sample, double samples) {
  __shared__ double scratch[kMetricBlock];
  double total = 0.0, wsum = 0.0;
  for (int64_t o = threadIdx.x; o < outer; o += blockDim.x) {
    double s = 0.0;
    for (int64_t k = 0; k < inner; ++k) s += v[o * inner + k];
    const double wi = w ? static_cast<double>(w[strided_offset(lead, o)]) : 1.0;
    if (mean) {
      const double vbar = inner ? s / static_cast<double>(inner) : 0.0;
      total += vbar * wi;
      wsum += wi;
    } else {
      total += s * wi;
    }
  }
  total = block_sum(total, scratch);
  wsum = block_sum(wsum, scratch);
  if (threadIdx.x == 0) {
    if (mean) {
      state[0] += static_cast<T>(total / per_sample);
      state[1] += static_cast<T>(w ? wsum / per_sample : samples);
    } else {
      state[0] += static_cast<T>(total);
    }
  }
}

template <typename T>
__global__ void assign_kernel(bool add, T* var, const T* val, int64_t n, GpuStridedSpace space) {
  PKC_GRID_STRIDE_LOOP(o, n) {
    const T x = val[strided_offset(space, o)];
    var[o] = add ? var[o] + x : x;
  }
}

__global__ void write_scalar_kernel(float* out, float value) { *out = value; }

void check_space(const char* op, const GpuStridedSpace& s) {
  if (s.rank < 0 || s.rank > kGpuMetricMaxRank)
    throw std::invalid_argument(std::string(op) + ": rank " + std::to_string(s.rank) + " exceeds " +
                                std::to_string(kGpuMetricMaxRank));
  for (int d = 0; d < s.rank; ++d)
    if (s.dims[d] <= 0) throw std::invalid_argument(std::string(op) + ": non-positive dimension in the index space");
}

}  // namespace

template <typename T>
void launch_metric_accumulate(bool mean, T* state, const T* v, const T* w, const GpuStridedSpace& lead,
                              int64_t outer, int64_t inner, double per_sample, double samples, cudaStream_t stream) {
  if (outer < 0 || inner < 0) throw std::invalid_argument("metric update: negative size");
  if (state == nullptr) throw std::invalid_argument("metric update: null state pointer");
  if (outer > 0 && inner > 0 && v == nullptr) throw std::invalid_argument("metric update: null values pointer");
  if (outer > 0) check_space("metric update", lead);
  accumulate_kernel<T><<<1, kMetricBlock, 0, stream>>>(mean, state, v, w, lead, outer, inner, per_sample, samples);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_metric_assign(bool add, T* var, const T* val, int64_t n, const GpuStridedSpace& space,
                          cudaStream_t stream) {
  if (n < 0) throw std::invalid_argument("metric assign: negative size");
  if (n == 0) return;
  if (var == nullptr || val == nullptr) throw std::invalid_argument("metric assign: null device pointer");
  check_space("metric assign", space);
  assign_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(add, var, val, n, space);
  PKC_CUDA_CHECK_LAUNCH();
}

void launch_write_scalar(float* out, float value, cudaStream_t stream) {
  if (out == nullptr) throw std::invalid_argument("batch_size: null output pointer");
  write_scalar_kernel<<<1, 1, 0, stream>>>(out, value);
  PKC_CUDA_CHECK_LAUNCH();
}

template void launch_metric_accumulate<float>(bool, float*, const float*, const float*, const GpuStridedSpace&,
                                              int64_t, int64_t, double, double, cudaStream_t);
template void launch_metric_accumulate<double>(bool, double*, const double*, const double*, const GpuStridedSpace&,
                                               int64_t, int64_t, double, double, cudaStream_t);
template void launch_metric_assign<float>(bool, float*, const float*, int64_t, const GpuStridedSpace&, cudaStream_t);
template void launch_metric_assign<double>(bool, double*, const double*, int64_t, const GpuStridedSpace&,
                                           cudaStream_t);

}  // namespace pkc::gpu
