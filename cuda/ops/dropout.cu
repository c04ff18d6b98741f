// cuda/ops/dropout.cu — the dropout kernel: each thread recomputes the Philox draw of its
// element's noise index (no mask buffer, so broadcast noise shapes cost nothing extra and no
// state survives the step). Uses csrc/core/philox.h, the RNG shared with the CPU by design.
#include "cuda/ops/dropout.cuh"

#include <stdexcept>
#include <string>

#include "core/philox.h"
#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

struct DropoutShape {
  int rank;
  int64_t x_dims[kMaxDropoutRank];
  int64_t noise_stride[kMaxDropoutRank];  // 0 on broadcast dims
};

template <typename T>
__global__ void dropout_kernel(const T* x, T* y, int64_t n, DropoutShape s, bool full, uint64_t seed,
                               uint64_t step, float rate, T keep_prob) {
  PKC_GRID_STRIDE_LOOP(i, n) {
    int64_t j = i;
    if (!full) {  // row-major unravel of i, re-ravelled against the noise shape
      int64_t rem = i;
      j = 0;
      for (int d = s.rank - 1; d >= 0; --d) {
        const int64_t c = rem % s.x_dims[d];
        rem /= s.x_dims[d];
        j += c * s.noise_stride[d];
      }
    }
    const pkc::Philox4 r = pkc::philox_draw(seed, step, static_cast<uint64_t>(j) >> 2);
    const bool keep = pkc::philox_uniform(r.v[j & 3]) >= rate;
    y[i] = keep ? x[i] / keep_prob : T(0);
  }
}

}  // namespace

template <typename T>
void launch_dropout(const T* x, T* y, const int64_t* x_shape, const int64_t* noise_shape, int rank,
                    uint64_t seed, uint64_t step, float rate, T keep_prob, cudaStream_t stream) {
  if (rank < 0 || rank > kMaxDropoutRank)
    throw std::invalid_argument("dropout: rank " + std::to_string(rank) + " is not supported on CUDA (max " +
                                std::to_string(kMaxDropoutRank) + ")");
  DropoutShape s{};
  s.rank = rank;
  int64_t n = 1, stride = 1;
  bool full = true;
  for (int d = rank - 1; d >= 0; --d) {
    if (x_shape[d] < 0) throw std::invalid_argument("dropout: negative dimension");
    if (noise_shape[d] != x_shape[d] && noise_shape[d] != 1)
      throw std::invalid_argument("dropout: noise_shape dimension " + std::to_string(noise_shape[d]) +
                                  " cannot be broadcast to " + std::to_string(x_shape[d]));
    full = full && noise_shape[d] == x_shape[d];
    s.x_dims[d] = x_shape[d];
    s.noise_stride[d] = noise_shape[d] == 1 && x_shape[d] != 1 ? 0 : stride;
    stride *= noise_shape[d];
    n *= x_shape[d];
  }
  if (n == 0) return;
  if (x == nullptr || y == nullptr) throw std::invalid_argument("dropout: null device pointer");
  if (rate >= 1.f) {
    PKC_CUDA_CHECK(cudaMemsetAsync(y, 0, sizeof(T) * n, stream));
    return;
  }
  dropout_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(x, y, n, s, full, seed, step, rate, keep_prob);
  PKC_CUDA_CHECK_LAUNCH();
}

template void launch_dropout<float>(const float*, float*, const int64_t*, const int64_t*, int, uint64_t, uint64_t,
                                    float, float, cudaStream_t);
template void launch_dropout<double>(const double*, double*, const int64_t*, const int64_t*, int, uint64_t,
                                     uint64_t, float, double, cudaStream_t);

}  // namespace pkc::gpu
