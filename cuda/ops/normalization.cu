// cuda/ops/normalization.cu — kernels for normalization.cuh. Group / channel statistics: one
// thread per group (layer norm) or channel (batch norm) walks its elements in the CPU's order in
// double; element-wise passes are grid-stride loops. No atomics, no shared-memory trees.
#include "cuda/ops/normalization.cuh"

#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

template <typename T>
__device__ __forceinline__ T rsqrt_eps(T var, T eps) { return T(1) / sqrt(var + eps); }

// The CPU's group_stats for group g = p * Q + q.
template <typename T>
__device__ void group_stats(const T* x, const GpuPMQ& v, int64_t g, T eps, T& mean, T& rstd) {
  const int64_t p = g / v.Q, q = g % v.Q;
  const int64_t base = p * v.M * v.Q + q;
  double s = 0;
  for (int64_t m = 0; m < v.M; ++m) s += x[base + m * v.Q];
  mean = v.M ? static_cast<T>(s / static_cast<double>(v.M)) : T(0);
  double ss = 0;
  for (int64_t m = 0; m < v.M; ++m) {
    const double d = static_cast<double>(x[base + m * v.Q] - mean);
    ss += d * d;
  }
  const T var = v.M ? static_cast<T>(ss / static_cast<double>(v.M)) : T(0);
  rstd = rsqrt_eps(var, eps);
}

template <typename T>
__global__ void layer_norm_kernel(const T* x, const T* gamma, const T* beta, T* y, GpuPMQ v, T eps) {
  PKC_GRID_STRIDE_LOOP(g, v.P * v.Q) {
    T mean, rstd;
    group_stats(x, v, g, eps, mean, rstd);
    const int64_t base = (g / v.Q) * v.M * v.Q + g % v.Q;
    for (int64_t m = 0; m < v.M; ++m) {
      const T inv = gamma ? rstd * gamma[m] : rstd;
      T res = -mean * inv;
      if (beta) res = res + beta[m];
      y[base + m * v.Q] = x[base + m * v.Q] * inv + res;
    }
  }
}

template <typename T>
__global__ void layer_norm_dx_kernel(const T* dy, const T* x, const T* gamma, T* dx, GpuPMQ v, T eps, T* stats) {
  const double inv_m = v.M ? 1.0 / static_cast<double>(v.M) : 0.0;
  PKC_GRID_STRIDE_LOOP(g, v.P * v.Q) {
    T mean, rstd;
    group_stats(x, v, g, eps, mean, rstd);
    stats[2 * g] = mean;
    stats[2 * g + 1] = rstd;
    const int64_t base = (g / v.Q) * v.M * v.Q + g % v.Q;
    double sg = 0, sgx = 0;
    for (int64_t m = 0; m < v.M; ++m) {
      const int64_t k = base + m * v.Q;
      const double xhat = static_cast<double>((x[k] - mean) * rstd);
      const double gm = static_cast<double>(dy[k]) * (gamma ? static_cast<double>(gamma[m]) : 1.0);
      sg += gm;
      sgx += gm * xhat;
    }
    sg *= inv_m;
    sgx *= inv_m;
    for (int64_t m = 0; m < v.M; ++m) {
      const int64_t k = base + m * v.Q;
      const double xhat = static_cast<double>((x[k] - mean) * rstd);
      const double gm = static_cast<double>(dy[k]) * (gamma ? static_cast<double>(gamma[m]) : 1.0);
      dx[k] = static_cast<T>(static_cast<double>(rstd) * (gm - sg - xhat * sgx));
    }
  }
}

// dgamma[m] = sum over groups (p outer, q inner) of dy * xhat; dbeta[m] = sum of dy.
template <typename T>
__global__ void layer_norm_dparams_kernel(const T* dy, const T* x, T* dgamma, T* dbeta, GpuPMQ v, const T* stats) {
  PKC_GRID_STRIDE_LOOP(m, v.M) {
    double ag = 0, ab = 0;
    for (int64_t g = 0; g < v.P * v.Q; ++g) {
      const int64_t k = (g / v.Q) * v.M * v.Q + g % v.Q + m * v.Q;
      const double xhat = static_cast<double>((x[k] - stats[2 * g]) * stats[2 * g + 1]);
      ag += static_cast<double>(dy[k]) * xhat;
      ab += static_cast<double>(dy[k]);
    }
    if (dgamma) dgamma[m] = static_cast<T>(ag);
    if (dbeta) dbeta[m] = static_cast<T>(ab);
  }
}

template <typename T>
__global__ void moments_kernel(const T* x, T* mean, T* var, GpuPMQ v) {
  const double n = static_cast<double>(v.P * v.Q);
  PKC_GRID_STRIDE_LOOP(m, v.M) {
    double acc = 0;
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t q = 0; q < v.Q; ++q) acc += x[(p * v.M + m) * v.Q + q];
    const T mu = n > 0 ? static_cast<T>(acc / n) : T(0);
    acc = 0;
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t q = 0; q < v.Q; ++q) {
        const double d = static_cast<double>(x[(p * v.M + m) * v.Q + q] - mu);
        acc += d * d;
      }
    mean[m] = mu;
    var[m] = n > 0 ? static_cast<T>(acc / n) : T(0);
  }
}

template <typename T>
__global__ void moments_grad_kernel(const T* dmean, const T* dvar, const T* x, const T* mean, T* dx, GpuPMQ v) {
  const double n = static_cast<double>(v.P * v.Q);
  const double inv_n = n > 0 ? 1.0 / n : 0.0;
  PKC_GRID_STRIDE_LOOP(k, v.P * v.M * v.Q) {
    const int64_t m = (k / v.Q) % v.M;
    const double dm = static_cast<double>(dmean[m]) * inv_n, dv = 2.0 * static_cast<double>(dvar[m]) * inv_n;
    dx[k] = static_cast<T>(dm + dv * (static_cast<double>(x[k]) - static_cast<double>(mean[m])));
  }
}

template <typename T>
__global__ void batch_norm_kernel(const T* x, const T* mean, const T* var, const T* gamma, const T* beta, T* y,
                                  GpuPMQ v, T eps) {
  PKC_GRID_STRIDE_LOOP(k, v.P * v.M * v.Q) {
    const int64_t m = (k / v.Q) % v.M;
    T inv = rsqrt_eps(var[m], eps);
    if (gamma) inv = inv * gamma[m];
    T res = -mean[m] * inv;
    if (beta) res = res + beta[m];
    y[k] = x[k] * inv + res;
  }
}

template <typename T>
__global__ void batch_norm_dx_kernel(const T* dy, const T* var, const T* gamma, T* dx, GpuPMQ v, T eps) {
  PKC_GRID_STRIDE_LOOP(k, v.P * v.M * v.Q) {
    const int64_t m = (k / v.Q) % v.M;
    T inv = rsqrt_eps(var[m], eps);
    if (gamma) inv = inv * gamma[m];
    dx[k] = dy[k] * inv;
  }
}

template <typename T>
__global__ void batch_norm_dparams_kernel(const T* dy, const T* x, const T* mean, const T* var, const T* gamma,
                                          T* dmean, T* dvar, T* dgamma, T* dbeta, GpuPMQ v, T eps) {
  PKC_GRID_STRIDE_LOOP(m, v.M) {
    double s1 = 0, s2 = 0;
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t q = 0; q < v.Q; ++q) {
        const int64_t k = (p * v.M + m) * v.Q + q;
        s1 += static_cast<double>(dy[k]);
        s2 += static_cast<double>(dy[k]) * static_cast<double>(x[k] - mean[m]);
      }
    const double ve = static_cast<double>(var[m]) + static_cast<double>(eps);
    const double rstd = 1.0 / sqrt(ve);
    const double gm = gamma ? static_cast<double>(gamma[m]) : 1.0;
    dmean[m] = static_cast<T>(-s1 * gm * rstd);
    dvar[m] = static_cast<T>(-0.5 * s2 * gm * rstd / ve);
    if (dgamma) dgamma[m] = static_cast<T>(s2 * rstd);
    if (dbeta) dbeta[m] = static_cast<T>(s1);
  }
}

template <typename T>
__global__ void moving_average_kernel(T* s, const T* x, int64_t n, T m, T om) {
  PKC_GRID_STRIDE_LOOP(i, n) { s[i] = s[i] * m + x[i] * om; }
}

void check_pmq(const char* op, const GpuPMQ& v) {
  if (v.P < 0 || v.M < 0 || v.Q < 0) throw std::invalid_argument(std::string(op) + ": negative size");
}

void check_ptrs(const char* op, bool nonempty, std::initializer_list<const void*> ptrs) {
  if (!nonempty) return;
  for (const void* p : ptrs)
    if (p == nullptr) throw std::invalid_argument(std::string(op) + ": null device pointer for a non-empty buffer");
}

}  // namespace

template <typename T>
void launch_layer_norm(const T* x, const T* gamma, const T* beta, T* y, GpuPMQ v, T eps, cudaStream_t stream) {
  check_pmq("layer_normalization", v);
  const int64_t groups = v.P * v.Q;
  if (groups == 0 || v.M == 0) return;
  check_ptrs("layer_normalization", true, {x, y});
  layer_norm_kernel<T><<<grid_size(groups), kBlockSize, 0, stream>>>(x, gamma, beta, y, v, eps);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_layer_norm_grad(const T* dy, const T* x, const T* gamma, T* dx, T* dgamma, T* dbeta, GpuPMQ v, T eps,
                            T* stats, cudaStream_t stream) {
  check_pmq("layer_normalization_grad", v);
  const int64_t groups = v.P * v.Q;
  if (v.M == 0) return;
  if (groups == 0) {  // no samples: the parameter gradients are zero
    if (dgamma) PKC_CUDA_CHECK(cudaMemsetAsync(dgamma, 0, sizeof(T) * v.M, stream));
    if (dbeta) PKC_CUDA_CHECK(cudaMemsetAsync(dbeta, 0, sizeof(T) * v.M, stream));
    return;
  }
  check_ptrs("layer_normalization_grad", true, {dy, x, dx, stats});
  layer_norm_dx_kernel<T><<<grid_size(groups), kBlockSize, 0, stream>>>(dy, x, gamma, dx, v, eps, stats);
  PKC_CUDA_CHECK_LAUNCH();
  if (dgamma || dbeta) {
    layer_norm_dparams_kernel<T><<<grid_size(v.M), kBlockSize, 0, stream>>>(dy, x, dgamma, dbeta, v, stats);
    PKC_CUDA_CHECK_LAUNCH();
  }
}

template <typename T>
void launch_batch_moments(const T* x, T* mean, T* var, GpuPMQ v, cudaStream_t stream) {
  check_pmq("batch_moments", v);
  if (v.M == 0) return;
  check_ptrs("batch_moments", true, {mean, var});
  check_ptrs("batch_moments", v.P * v.Q > 0, {x});
  moments_kernel<T><<<grid_size(v.M), kBlockSize, 0, stream>>>(x, mean, var, v);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_batch_moments_grad(const T* dmean, const T* dvar, const T* x, const T* mean, T* dx, GpuPMQ v,
                               cudaStream_t stream) {
  check_pmq("batch_moments_grad", v);
  const int64_t n = v.P * v.M * v.Q;
  if (n == 0) return;
  check_ptrs("batch_moments_grad", true, {dmean, dvar, x, mean, dx});
  moments_grad_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(dmean, dvar, x, mean, dx, v);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_batch_norm(const T* x, const T* mean, const T* var, const T* gamma, const T* beta, T* y, GpuPMQ v, T eps,
                       cudaStream_t stream) {
  check_pmq("batch_normalization", v);
  const int64_t n = v.P * v.M * v.Q;
  if (n == 0) return;
  check_ptrs("batch_normalization", true, {x, mean, var, y});
  batch_norm_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(x, mean, var, gamma, beta, y, v, eps);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_batch_norm_grad(const T* dy, const T* x, const T* mean, const T* var, const T* gamma, T* dx, T* dmean,
                            T* dvar, T* dgamma, T* dbeta, GpuPMQ v, T eps, cudaStream_t stream) {
  check_pmq("batch_normalization_grad", v);
  if (v.M == 0) return;
  const int64_t n = v.P * v.M * v.Q;
  check_ptrs("batch_normalization_grad", true, {mean, var, dmean, dvar});
  check_ptrs("batch_normalization_grad", n > 0, {dy, x, dx});
  if (n > 0) {
    batch_norm_dx_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(dy, var, gamma, dx, v, eps);
    PKC_CUDA_CHECK_LAUNCH();
  }
  batch_norm_dparams_kernel<T><<<grid_size(v.M), kBlockSize, 0, stream>>>(dy, x, mean, var, gamma, dmean, dvar,
                                                                          dgamma, dbeta, v, eps);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_moving_average(T* s, const T* x, int64_t n, T m, T om, cudaStream_t stream) {
  if (n < 0) throw std::invalid_argument("moving_average_update: negative size");
  if (n == 0) return;
  check_ptrs("moving_average_update", true, {s, x});
  moving_average_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(s, x, n, m, om);
  PKC_CUDA_CHECK_LAUNCH();
}

#define PKC_NORM_INSTANTIATE(T)                                                                                  \
  template void launch_layer_norm<T>(const T*, const T*, const T*, T*, GpuPMQ, T, cudaStream_t);                  \
  template void launch_layer_norm_grad<T>(const T*, const T*, const T*, T*, T*, T*, GpuPMQ, T, T*, cudaStream_t); \
  template void launch_batch_moments<T>(const T*, T*, T*, GpuPMQ, cudaStream_t);                                 \
  template void launch_batch_moments_grad<T>(const T*, const T*, const T*, const T*, T*, GpuPMQ, cudaStream_t);   \
  template void launch_batch_norm<T>(const T*, const T*, const T*, const T*, const T*, T*, GpuPMQ, T,            \
                                     cudaStream_t);                                                             \
  template void launch_batch_norm_grad<T>(const T*, const T*, const T*, const T*, const T*, T*, T*, T*, T*, T*,   \
                                          GpuPMQ, T, cudaStream_t);                                             \
  template void launch_moving_average<T>(T*, const T*, int64_t, T, T, cudaStream_t);
PKC_NORM_INSTANTIATE(float)
PKC_NORM_INSTANTIATE(double)

}  // namespace pkc::gpu
