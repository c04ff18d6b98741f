// cuda/ops/losses.cu — kernels for losses.cuh. The per-element terms and derivatives restate
// csrc/ops/losses_elementwise.cpp, losses_categorical.cpp and losses_sparse.cpp term for term
// (std::min/max tie and NaN rules included, via dmin/dmax); keep them in step with the CPU.
// Row kernels: one thread per sample, the class axis in order. No atomics except the integer
// flags (label errors, the hinge label check), whose result does not depend on thread order.
#include "cuda/ops/losses.cuh"

#include <cmath>
#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

template <typename T>
__device__ __forceinline__ T dmax(T a, T b) { return (a < b) ? b : a; }  // std::max
template <typename T>
__device__ __forceinline__ T dmin(T a, T b) { return (b < a) ? b : a; }  // std::min
template <typename T>
__device__ __forceinline__ T d_softplus(T x) { return dmax(x, T(0)) + log1p(exp(-fabs(x))); }
template <typename T>
__device__ __forceinline__ T d_sigmoid_plain(T x) { return T(1) / (T(1) + exp(-x)); }
template <typename T>
__device__ __forceinline__ T d_sign(T x) { return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)); }

template <typename T>
__device__ __forceinline__ T bce_probs(T ts, T p, const GpuEwParams<T>& P) {
  const T pc = dmin(dmax(p, P.eps), P.hi);
  return -(ts * log(pc) + (T(1) - ts) * log(T(1) - pc));
}

template <GpuEwLoss K, typename T>
__device__ T ew_value(T t, T p, const GpuEwParams<T>& P, bool to_pm1) {
  if constexpr (K == GpuEwLoss::mse) {
    const T d = t - p;
    return d * d;
  } else if constexpr (K == GpuEwLoss::mae) {
    return fabs(t - p);
  } else if constexpr (K == GpuEwLoss::mape) {
    return fabs((t - p) / dmax(fabs(t), P.eps));
  } else if constexpr (K == GpuEwLoss::msle) {
    const T d = log(dmax(p, P.eps) + T(1)) - log(dmax(t, P.eps) + T(1));
    return d * d;
  } else if constexpr (K == GpuEwLoss::huber) {
    const T e = p - t, ae = fabs(e);
    return ae <= P.delta ? T(0.5) * e * e : P.delta * ae - P.half_delta_sq;
  } else if constexpr (K == GpuEwLoss::log_cosh) {
    const T x = p - t;
    return x + d_softplus(x * T(-2)) - static_cast<T>(0.69314718055994530942);  // static_cast<T>(std::log(2.0))
  } else if constexpr (K == GpuEwLoss::hinge || K == GpuEwLoss::squared_hinge) {
    const T tt = to_pm1 ? T(2) * t - T(1) : t;
    const T m = dmax(T(1) - tt * p, T(0));
    return K == GpuEwLoss::hinge ? m : m * m;
  } else if constexpr (K == GpuEwLoss::poisson) {
    return p - t * log(p + P.eps);
  } else if constexpr (K == GpuEwLoss::kld) {
    const T tc = dmin(dmax(t, P.eps), T(1)), pc = dmin(dmax(p, P.eps), T(1));
    return tc * log(tc / pc);
  } else if constexpr (K == GpuEwLoss::bce) {
    const T ts = t * P.keep + P.add;
    if (P.from_logits) return ts * d_softplus(-p) + (T(1) - ts) * d_softplus(p);
    return bce_probs(ts, p, P);
  } else {  // bfce
    const T ts = t * P.keep + P.add;
    const T q = P.from_logits ? d_sigmoid_plain(p) : p;
    const T pt = ts * q + (T(1) - ts) * (T(1) - q);
    T v = pow(T(1) - pt, P.gamma) * bce_probs(ts, q, P);
    if (P.balance) v *= ts * P.alpha + (T(1) - ts) * P.one_minus_alpha;
    return v;
  }
}

template <GpuEwLoss K, typename T>
__device__ void ew_deriv(T t, T p, const GpuEwParams<T>& P, bool to_pm1, T& dt, T& dp) {
  if constexpr (K == GpuEwLoss::mse) {
    dp = T(2) * (p - t);
    dt = -dp;
  } else if constexpr (K == GpuEwLoss::mae) {
    dp = d_sign(p - t);
    dt = -dp;
  } else if constexpr (K == GpuEwLoss::mape) {
    const T at = fabs(t), m = dmax(at, P.eps);
    dp = d_sign(p - t) / m;
    dt = -dp - (at > P.eps ? fabs(t - p) * d_sign(t) / (m * m) : T(0));
  } else if constexpr (K == GpuEwLoss::msle) {
    const T a1 = dmax(p, P.eps) + T(1), b1 = dmax(t, P.eps) + T(1);
    const T d = log(a1) - log(b1);
    dp = p > P.eps ? T(2) * d / a1 : T(0);
    dt = t > P.eps ? T(-2) * d / b1 : T(0);
  } else if constexpr (K == GpuEwLoss::huber) {
    const T e = p - t;
    dp = fabs(e) <= P.delta ? e : P.delta * d_sign(e);
    dt = -dp;
  } else if constexpr (K == GpuEwLoss::log_cosh) {
    dp = T(1) - T(2) * d_sigmoid_plain(T(-2) * (p - t));
    dt = -dp;
  } else if constexpr (K == GpuEwLoss::hinge || K == GpuEwLoss::squared_hinge) {
    const T tt = to_pm1 ? T(2) * t - T(1) : t, dtt = to_pm1 ? T(2) : T(1);
    const T m = T(1) - tt * p;
    const T k = m > T(0) ? (K == GpuEwLoss::hinge ? T(1) : T(2) * m) : T(0);
    dp = -k * tt;
    dt = -k * p * dtt;
  } else if constexpr (K == GpuEwLoss::poisson) {
    dp = T(1) - t / (p + P.eps);
    dt = -log(p + P.eps);
  } else if constexpr (K == GpuEwLoss::kld) {
    const T tc = dmin(dmax(t, P.eps), T(1)), pc = dmin(dmax(p, P.eps), T(1));
    const bool p_in = p >= P.eps && p <= T(1), t_in = t >= P.eps && t <= T(1);
    dp = p_in ? -tc / pc : T(0);
    dt = t_in ? log(tc / pc) + T(1) : T(0);
  } else if constexpr (K == GpuEwLoss::bce) {
    const T ts = t * P.keep + P.add;
    if (P.from_logits) {
      dp = d_sigmoid_plain(p) - ts;
      dt = -p * P.dts;
    } else {
      const T pc = dmin(dmax(p, P.eps), P.hi);
      const bool in = p >= P.eps && p <= P.hi;
      dp = in ? -ts / p + (T(1) - ts) / (T(1) - p) : T(0);
      dt = -(log(pc) - log(T(1) - pc)) * P.dts;
    }
  } else {  // bfce
    const T ts = t * P.keep + P.add;
    const T q = P.from_logits ? d_sigmoid_plain(p) : p;
    const T qc = dmin(dmax(q, P.eps), P.hi);
    const bool in = q >= P.eps && q <= P.hi;
    const T pt = ts * q + (T(1) - ts) * (T(1) - q);
    const T b = bce_probs(ts, q, P);
    const T u = T(1) - pt;
    const T f = pow(u, P.gamma);
    const T df = P.gamma == T(0) ? T(0) : P.gamma * pow(u, P.gamma - T(1));
    const T w = P.balance ? ts * P.alpha + (T(1) - ts) * P.one_minus_alpha : T(1);
    const T db_dq = in ? -ts / q + (T(1) - ts) / (T(1) - q) : T(0);
    const T db_dts = -(log(qc) - log(T(1) - qc));
    const T dq = w * (-df * (T(2) * ts - T(1)) * b + f * db_dq);
    dp = P.from_logits ? dq * q * (T(1) - q) : dq;
    T dts = w * (-df * (T(2) * q - T(1)) * b + f * db_dts);
    if (P.balance) dts += (P.alpha - P.one_minus_alpha) * f * b;
    dt = dts * P.dts;
  }
}

constexpr bool sums_over_axis(GpuEwLoss k) { return k == GpuEwLoss::kld; }
constexpr bool is_hinge(GpuEwLoss k) { return k == GpuEwLoss::hinge || k == GpuEwLoss::squared_hinge; }

__global__ void set_int_kernel(int* flag, int v) { *flag = v; }
__global__ void set_i64_kernel(int64_t* flag, int64_t v) { *flag = v; }

// Clears *flag when some label is neither 0 nor 1 (every writer stores the same 0).
template <typename T>
__global__ void binary_check_kernel(const T* t, int64_t n, int* flag) {
  PKC_GRID_STRIDE_LOOP(i, n) {
    if (t[i] != T(0) && t[i] != T(1)) *flag = 0;
  }
}

template <GpuEwLoss K, typename T>
__global__ void ew_kernel(GpuEwParams<T> P, const T* t, const T* p, T* out, GpuAxisGeom G, const int* flag) {
  const bool to_pm1 = is_hinge(K) && flag && *flag;
  PKC_GRID_STRIDE_LOOP(r, G.outer * G.inner) {
    const int64_t o = r / G.inner, i = r % G.inner;
    T acc = T(0);
    for (int64_t c = 0; c < G.C; ++c) {
      const int64_t k = (o * G.C + c) * G.inner + i;
      acc += ew_value<K>(t[k], p[k], P, to_pm1);
    }
    if constexpr (!sums_over_axis(K)) acc /= static_cast<T>(G.C);
    out[r] = (K == GpuEwLoss::mape ? T(100) : T(1)) * acc;
  }
}

template <GpuEwLoss K, typename T>
__global__ void ew_grad_kernel(GpuEwParams<T> P, const T* dl, const T* t, const T* p, T* dx, GpuAxisGeom G,
                               bool wrt_pred, const int* flag, T scale) {
  const bool to_pm1 = is_hinge(K) && flag && *flag;
  PKC_GRID_STRIDE_LOOP(k, G.outer * G.C * G.inner) {
    const int64_t o = k / (G.C * G.inner), i = k % G.inner;
    const T k0 = dl[o * G.inner + i] * scale;
    T dt, dp;
    ew_deriv<K>(t[k], p[k], P, to_pm1, dt, dp);
    dx[k] = k0 * (wrt_pred ? dp : dt);
  }
}

template <typename T>
__global__ void sigmoid_bce_grad_kernel(GpuEwParams<T> P, const T* dl, const T* t, const T* q, T* dz, GpuAxisGeom G,
                                        T inv_c) {
  PKC_GRID_STRIDE_LOOP(k, G.outer * G.C * G.inner) {
    const int64_t o = k / (G.C * G.inner), i = k % G.inner;
    const T k0 = dl[o * G.inner + i] * inv_c;
    const bool in = q[k] >= P.eps && q[k] <= P.hi;
    dz[k] = in ? k0 * (q[k] - (t[k] * P.keep + P.add)) : T(0);
  }
}

// ---- categorical crossentropy: row (o, i) at base = o*C*inner + i, stride inner.
template <GpuCceOp OP, typename T>
__global__ void cce_kernel(const T* dl, const T* t, const T* p, T* out, GpuAxisGeom G, bool from_logits,
                           bool wrt_pred, T keep, T add) {
  const T lo = static_cast<T>(1e-7), hi = static_cast<T>(1.0 - 1e-7);
  PKC_GRID_STRIDE_LOOP(r, G.outer * G.inner) {
    const int64_t o = r / G.inner, i = r % G.inner, st = G.inner, C = G.C;
    const T* tr = t + o * C * st + i;
    const T* pr = p + o * C * st + i;
    auto sm = [&](T v) { return v * keep + add; };
    if constexpr (OP == GpuCceOp::forward) {
      T v = T(0);
      if (from_logits) {
        T m = -INFINITY;
        for (int64_t c = 0; c < C; ++c) m = dmax(m, pr[c * st]);
        T s = T(0);
        for (int64_t c = 0; c < C; ++c) s += exp(pr[c * st] - m);
        const T lse = log(s);
        for (int64_t c = 0; c < C; ++c) v += sm(tr[c * st]) * ((pr[c * st] - m) - lse);
      } else {
        T s = T(0);
        for (int64_t c = 0; c < C; ++c) s += pr[c * st];
        for (int64_t c = 0; c < C; ++c) v += sm(tr[c * st]) * log(dmin(dmax(pr[c * st] / s, lo), hi));
      }
      out[r] = -v;
    } else {
      T* d = out + o * C * st + i;
      const T g = dl[r];
      if (OP == GpuCceOp::grad && from_logits) {
        T m = -INFINITY;
        for (int64_t c = 0; c < C; ++c) m = dmax(m, pr[c * st]);
        T s = T(0);
        for (int64_t c = 0; c < C; ++c) s += exp(pr[c * st] - m);
        const T lse = log(s);
        if (!wrt_pred) {
          for (int64_t c = 0; c < C; ++c) d[c * st] = -g * keep * ((pr[c * st] - m) - lse);
          continue;
        }
        T tsum = T(0);
        for (int64_t c = 0; c < C; ++c) tsum += sm(tr[c * st]);
        for (int64_t c = 0; c < C; ++c) d[c * st] = g * (tsum * exp((pr[c * st] - m) - lse) - sm(tr[c * st]));
        continue;
      }
      T s = T(0);
      for (int64_t c = 0; c < C; ++c) s += pr[c * st];
      if (OP == GpuCceOp::grad && !wrt_pred) {
        for (int64_t c = 0; c < C; ++c) d[c * st] = -g * keep * log(dmin(dmax(pr[c * st] / s, lo), hi));
        continue;
      }
      T A = T(0);
      for (int64_t c = 0; c < C; ++c) {
        const T q = pr[c * st] / s;
        if (q >= lo && q <= hi) A += sm(tr[c * st]);
      }
      for (int64_t c = 0; c < C; ++c) {
        const T q = pr[c * st] / s;
        const bool in = q >= lo && q <= hi;
        if constexpr (OP == GpuCceOp::grad) d[c * st] = g * (A / s - (in ? sm(tr[c * st]) / pr[c * st] : T(0)));
        else d[c * st] = g * (pr[c * st] * A / s - (in ? sm(tr[c * st]) : T(0)));
      }
    }
  }
}

// ---- sparse categorical crossentropy
__device__ __forceinline__ int64_t label_at(const void* labels, int type, int64_t r) {
  switch (type) {
    case 0: return static_cast<const int32_t*>(labels)[r];
    case 1: return static_cast<const int64_t*>(labels)[r];
    case 2: return static_cast<const uint8_t*>(labels)[r];
    case 3: return static_cast<int64_t>(static_cast<const float*>(labels)[r]);
    default: return static_cast<int64_t>(static_cast<const double*>(labels)[r]);
  }
}

template <GpuScceOp OP, typename T>
__global__ void scce_kernel(const T* dl, const void* labels, int ltype, const T* p, T* out, int64_t rows, int64_t C,
                            bool from_logits, bool has_ignore, int64_t ignore, int64_t* bad) {
  const T lo = static_cast<T>(1e-7), hi = static_cast<T>(1.0 - 1e-7);
  PKC_GRID_STRIDE_LOOP(r, rows) {
    const T* pr = p + r * C;
    int64_t y = label_at(labels, ltype, r);
    if (has_ignore && y == ignore) {
      y = -1;
    } else if (y < 0 || y >= C) {
      atomicMin(reinterpret_cast<unsigned long long*>(bad), static_cast<unsigned long long>(r));
      y = -1;
    }
    if constexpr (OP == GpuScceOp::forward) {
      if (y < 0) {
        out[r] = T(0);
      } else if (from_logits) {
        T m = -INFINITY;
        for (int64_t j = 0; j < C; ++j) m = dmax(m, pr[j]);
        T s = T(0);
        for (int64_t j = 0; j < C; ++j) s += exp(pr[j] - m);
        out[r] = -((pr[y] - m) - log(s));
      } else {
        T s = T(0);
        for (int64_t j = 0; j < C; ++j) s += pr[j];
        out[r] = -log(dmin(dmax(pr[y] / s, lo), hi));
      }
    } else if constexpr (OP == GpuScceOp::grad) {
      T* dr = out + r * C;
      if (y < 0) {
        for (int64_t j = 0; j < C; ++j) dr[j] = T(0);
      } else if (from_logits) {
        T m = -INFINITY;
        for (int64_t j = 0; j < C; ++j) m = dmax(m, pr[j]);
        T s = T(0);
        for (int64_t j = 0; j < C; ++j) s += (dr[j] = exp(pr[j] - m));
        for (int64_t j = 0; j < C; ++j) dr[j] = dl[r] * (dr[j] / s - (j == y ? T(1) : T(0)));
      } else {
        T s = T(0);
        for (int64_t j = 0; j < C; ++j) s += pr[j];
        const T q = pr[y] / s;
        const bool clipped = q < lo || q > hi;
        for (int64_t j = 0; j < C; ++j) dr[j] = clipped ? T(0) : dl[r] * (T(1) / s - (j == y ? T(1) / pr[y] : T(0)));
      }
    } else {
      T* dr = out + r * C;
      T s = T(0);
      for (int64_t j = 0; j < C; ++j) s += pr[j];
      const T q = y < 0 ? T(0) : pr[y] / s;
      const bool off = y < 0 || q < lo || q > hi;
      for (int64_t j = 0; j < C; ++j) dr[j] = off ? T(0) : dl[r] * (pr[j] / s - (j == y ? T(1) : T(0)));
    }
  }
}

// ---- reduce_loss: one block, fixed order.
constexpr int kLossBlock = 512;

template <typename T>
__device__ T divisor_of(const T* w, int64_t n, int mode, T wsum) {
  if (mode == 1) return T(1);
  if (mode == 2 && w) return wsum;
  return static_cast<T>(n);
}

template <typename T>
__global__ void reduce_loss_kernel(const T* v, const T* w, int64_t n, int mode, T* out) {
  __shared__ T scratch[kLossBlock];
  T s = T(0), ws = T(0);
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    s += w ? v[i] * w[i] : v[i];
    if (w) ws += w[i];
  }
  s = block_sum(s, scratch);
  ws = block_sum(ws, scratch);
  if (threadIdx.x == 0) {
    const T div = divisor_of(w, n, mode, ws);
    *out = div == T(0) ? T(0) : (mode == 1 ? s : s / div);
  }
}

template <typename T>
__global__ void reduce_loss_grad_kernel(const T* dl, const T* w, int64_t n, int mode, T* dv) {
  __shared__ T scratch[kLossBlock];
  T ws = T(0);
  if (mode == 2 && w) {
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) ws += w[i];
    ws = block_sum(ws, scratch);
  }
  const T div = divisor_of(w, n, mode, ws);
  const T k = div == T(0) ? T(0) : *dl / div;
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) dv[i] = w ? k * w[i] : k;
}

void check_geom(const char* op, const GpuAxisGeom& G) {
  if (G.outer < 0 || G.C < 0 || G.inner < 0) throw std::invalid_argument(std::string(op) + ": negative size");
}

void check_ptrs(const char* op, bool nonempty, std::initializer_list<const void*> ptrs) {
  if (!nonempty) return;
  for (const void* p : ptrs)
    if (p == nullptr) throw std::invalid_argument(std::string(op) + ": null device pointer for a non-empty buffer");
}

#define PKC_EW_SWITCH(kind, K, ...)                                         \
  switch (kind) {                                                           \
    case GpuEwLoss::mse: { constexpr GpuEwLoss K = GpuEwLoss::mse; __VA_ARGS__; } break; \
    case GpuEwLoss::mae: { constexpr GpuEwLoss K = GpuEwLoss::mae; __VA_ARGS__; } break; \
    case GpuEwLoss::mape: { constexpr GpuEwLoss K = GpuEwLoss::mape; __VA_ARGS__; } break; \
    case GpuEwLoss::msle: { constexpr GpuEwLoss K = GpuEwLoss::msle; __VA_ARGS__; } break; \
    case GpuEwLoss::huber: { constexpr GpuEwLoss K = GpuEwLoss::huber; __VA_ARGS__; } break; \
    case GpuEwLoss::log_cosh: { constexpr GpuEwLoss K = GpuEwLoss::log_cosh; __VA_ARGS__; } break; \
    case GpuEwLoss::hinge: { constexpr GpuEwLoss K = GpuEwLoss::hinge; __VA_ARGS__; } break; \
    case GpuEwLoss::squared_hinge: { constexpr GpuEwLoss K = GpuEwLoss::squared_hinge; __VA_ARGS__; } break; \
    case GpuEwLoss::poisson: { constexpr GpuEwLoss K = GpuEwLoss::poisson; __VA_ARGS__; } break; \
    case GpuEwLoss::kld: { constexpr GpuEwLoss K = GpuEwLoss::kld; __VA_ARGS__; } break; \
    case GpuEwLoss::bce: { constexpr GpuEwLoss K = GpuEwLoss::bce; __VA_ARGS__; } break; \
    case GpuEwLoss::bfce: { constexpr GpuEwLoss K = GpuEwLoss::bfce; __VA_ARGS__; } break; \
    default: throw std::invalid_argument("loss: unknown element-wise loss id"); \
  }

// Sets *flag to "every label is 0 or 1" on the stream (hinge losses only).
template <typename T>
const int* prepare_flag(GpuEwLoss kind, const T* t, int64_t n, int* flag, cudaStream_t stream) {
  if (!is_hinge(kind)) return nullptr;
  if (flag == nullptr) throw std::invalid_argument("hinge loss: null label-check flag");
  set_int_kernel<<<1, 1, 0, stream>>>(flag, 1);
  if (n > 0) binary_check_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(t, n, flag);
  return flag;
}

}  // namespace

template <typename T>
void launch_ew_loss(GpuEwLoss kind, const GpuEwParams<T>& P, const T* t, const T* p, T* out, GpuAxisGeom G,
                    int* binary_flag, cudaStream_t stream) {
  check_geom("loss", G);
  const int64_t rows = G.outer * G.inner, n = rows * G.C;
  check_ptrs("loss", n > 0, {t, p});
  check_ptrs("loss", rows > 0, {out});
  if (rows == 0) return;
  const int* flag = prepare_flag(kind, t, n, binary_flag, stream);
  PKC_EW_SWITCH(kind, K, ew_kernel<K, T><<<grid_size(rows), kBlockSize, 0, stream>>>(P, t, p, out, G, flag))
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_ew_loss_grad(GpuEwLoss kind, const GpuEwParams<T>& P, const T* dl, const T* t, const T* p, T* dx,
                         GpuAxisGeom G, bool wrt_pred, int* binary_flag, cudaStream_t stream) {
  check_geom("loss gradient", G);
  const int64_t n = G.outer * G.C * G.inner;
  check_ptrs("loss gradient", n > 0, {dl, t, p, dx});
  if (n == 0) return;
  const int* flag = prepare_flag(kind, t, n, binary_flag, stream);
  const T scale = (kind == GpuEwLoss::mape ? T(100) : T(1)) / (sums_over_axis(kind) ? T(1) : static_cast<T>(G.C));
  PKC_EW_SWITCH(kind, K,
                ew_grad_kernel<K, T><<<grid_size(n), kBlockSize, 0, stream>>>(P, dl, t, p, dx, G, wrt_pred, flag,
                                                                              scale))
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_sigmoid_bce_grad(const GpuEwParams<T>& P, const T* dl, const T* t, const T* q, T* dz, GpuAxisGeom G,
                             cudaStream_t stream) {
  check_geom("sigmoid_binary_crossentropy_grad", G);
  const int64_t n = G.outer * G.C * G.inner;
  check_ptrs("sigmoid_binary_crossentropy_grad", n > 0, {dl, t, q, dz});
  if (n == 0) return;
  sigmoid_bce_grad_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(P, dl, t, q, dz, G,
                                                                      T(1) / static_cast<T>(G.C));
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_cce(GpuCceOp op, const T* dl, const T* t, const T* p, T* out, GpuAxisGeom G, bool from_logits,
                bool wrt_pred, T keep, T add, cudaStream_t stream) {
  check_geom("categorical_crossentropy", G);
  const int64_t rows = G.outer * G.inner;
  if (rows == 0) return;
  check_ptrs("categorical_crossentropy", G.C > 0, {t, p});
  check_ptrs("categorical_crossentropy", true, {out});
  if (op != GpuCceOp::forward) check_ptrs("categorical_crossentropy", true, {dl});
  switch (op) {
    case GpuCceOp::forward:
      cce_kernel<GpuCceOp::forward, T><<<grid_size(rows), kBlockSize, 0, stream>>>(dl, t, p, out, G, from_logits,
                                                                                  wrt_pred, keep, add);
      break;
    case GpuCceOp::grad:
      cce_kernel<GpuCceOp::grad, T><<<grid_size(rows), kBlockSize, 0, stream>>>(dl, t, p, out, G, from_logits,
                                                                               wrt_pred, keep, add);
      break;
    case GpuCceOp::softmax_grad:
      cce_kernel<GpuCceOp::softmax_grad, T><<<grid_size(rows), kBlockSize, 0, stream>>>(dl, t, p, out, G,
                                                                                       from_logits, wrt_pred, keep,
                                                                                       add);
      break;
    default: throw std::invalid_argument("categorical_crossentropy: unknown op id");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_scce(GpuScceOp op, const T* dl, const void* labels, int label_type, const T* p, T* out, int64_t rows,
                 int64_t C, bool from_logits, bool has_ignore, int64_t ignore, int64_t* bad, cudaStream_t stream) {
  if (rows < 0 || C < 0) throw std::invalid_argument("sparse_categorical_crossentropy: negative size");
  if (label_type < 0 || label_type > 4) throw std::invalid_argument("sparse_categorical_crossentropy: label type");
  if (bad == nullptr) throw std::invalid_argument("sparse_categorical_crossentropy: null error flag");
  set_i64_kernel<<<1, 1, 0, stream>>>(bad, rows);
  PKC_CUDA_CHECK_LAUNCH();
  if (rows == 0) return;
  check_ptrs("sparse_categorical_crossentropy", true, {labels, out});
  check_ptrs("sparse_categorical_crossentropy", C > 0, {p});
  if (op != GpuScceOp::forward) check_ptrs("sparse_categorical_crossentropy", true, {dl});
  switch (op) {
    case GpuScceOp::forward:
      scce_kernel<GpuScceOp::forward, T><<<grid_size(rows), kBlockSize, 0, stream>>>(
          dl, labels, label_type, p, out, rows, C, from_logits, has_ignore, ignore, bad);
      break;
    case GpuScceOp::grad:
      scce_kernel<GpuScceOp::grad, T><<<grid_size(rows), kBlockSize, 0, stream>>>(
          dl, labels, label_type, p, out, rows, C, from_logits, has_ignore, ignore, bad);
      break;
    case GpuScceOp::softmax_grad:
      scce_kernel<GpuScceOp::softmax_grad, T><<<grid_size(rows), kBlockSize, 0, stream>>>(
          dl, labels, label_type, p, out, rows, C, from_logits, has_ignore, ignore, bad);
      break;
    default: throw std::invalid_argument("sparse_categorical_crossentropy: unknown op id");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_reduce_loss(const T* v, const T* w, int64_t n, int mode, T* out, cudaStream_t stream) {
  if (n < 0 || mode < 0 || mode > 2) throw std::invalid_argument("reduce_loss: bad size or mode");
  check_ptrs("reduce_loss", true, {out});
  check_ptrs("reduce_loss", n > 0, {v});
  reduce_loss_kernel<T><<<1, kLossBlock, 0, stream>>>(v, w, n, mode, out);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_reduce_loss_grad(const T* dl, const T* w, int64_t n, int mode, T* dv, cudaStream_t stream) {
  if (n < 0 || mode < 0 || mode > 2) throw std::invalid_argument("reduce_loss_grad: bad size or mode");
  if (n == 0) return;
  check_ptrs("reduce_loss_grad", true, {dl, dv});
  reduce_loss_grad_kernel<T><<<1, kLossBlock, 0, stream>>>(dl, w, n, mode, dv);
  PKC_CUDA_CHECK_LAUNCH();
}

#define PKC_LOSS_INSTANTIATE(T)                                                                                  \
  template void launch_ew_loss<T>(GpuEwLoss, const GpuEwParams<T>&, const T*, const T*, T*, GpuAxisGeom, int*,  \
                                  cudaStream_t);                                                                \
  template void launch_ew_loss_grad<T>(GpuEwLoss, const GpuEwParams<T>&, const T*, const T*, const T*, T*,       \
                                       GpuAxisGeom, bool, int*, cudaStream_t);                                  \
  template void launch_sigmoid_bce_grad<T>(const GpuEwParams<T>&, const T*, const T*, const T*, T*, GpuAxisGeom, \
                                           cudaStream_t);                                                       \
  template void launch_cce<T>(GpuCceOp, const T*, const T*, const T*, T*, GpuAxisGeom, bool, bool, T, T,         \
                              cudaStream_t);                                                                    \
  template void launch_scce<T>(GpuScceOp, const T*, const void*, int, const T*, T*, int64_t, int64_t, bool, bool, \
                               int64_t, int64_t*, cudaStream_t);                                                \
  template void launch_reduce_loss<T>(const T*, const T*, int64_t, int, T*, cudaStream_t);                       \
  template void launch_reduce_loss_grad<T>(const T*, const T*, int64_t, int, T*, cudaStream_t);
PKC_LOSS_INSTANTIATE(float)
PKC_LOSS_INSTANTIATE(double)

}  // namespace pkc::gpu
