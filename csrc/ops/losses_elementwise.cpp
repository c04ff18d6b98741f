// Losses that are a mean (or, for KL divergence, a sum) over one axis of an element-wise term
// f(y_true, y_pred), with Keras 3 / JAX numerics: mean_squared_error, mean_absolute_error,
// mean_absolute_percentage_error, mean_squared_logarithmic_error, huber, log_cosh, hinge,
// squared_hinge, poisson, kl_divergence, binary_crossentropy, binary_focal_crossentropy.
// One forward and one gradient kernel template serve all of them; each loss is its term and
// the term's two partial derivatives. Sigmoid + binary crossentropy has a fused backward.
#include <algorithm>
#include <cmath>

#include "ops/losses.h"

namespace pkc {
namespace {

using loss::AxisGeom;

enum class Ew { mse, mae, mape, msle, huber, log_cosh, hinge, squared_hinge, poisson, kld, bce, bfce };

// Attributes, converted once to the kernel's type the way Keras mixes Python floats in.
template <typename T>
struct EwParams {
  T eps = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  T delta = 1, half_delta_sq = 0.5;
  T gamma = 2, alpha = 0.25, one_minus_alpha = 0.75;
  T keep = 1, add = 0, dts = 1;  // smoothed t = t * keep + add; d(smoothed t)/dt = dts
  bool from_logits = false, balance = false;
  bool to_pm1 = false;  // hinge: labels all in {0, 1} are mapped to {-1, 1} (decided per call)
};

template <typename T>
EwParams<T> ew_params(const Attrs& a) {
  EwParams<T> P;
  double delta = a.f("delta", 1.0), ls = a.f("label_smoothing", 0.0), alpha = a.f("alpha", 0.25);
  P.delta = static_cast<T>(delta);
  P.half_delta_sq = T(0.5) * P.delta * P.delta;
  P.gamma = static_cast<T>(a.f("gamma", 2.0));
  P.alpha = static_cast<T>(alpha);
  P.one_minus_alpha = static_cast<T>(1.0 - alpha);
  if (ls != 0.0) {
    P.keep = static_cast<T>(1.0 - ls);
    P.add = static_cast<T>(0.5 * ls);
    P.dts = P.keep;
  }
  P.from_logits = a.i("from_logits", 0);
  P.balance = a.i("apply_class_balancing", 0);
  return P;
}

template <Ew K>
constexpr bool sums_over_axis() { return K == Ew::kld; }
template <Ew K, typename T>
constexpr T value_scale() { return K == Ew::mape ? T(100) : T(1); }

// Binary crossentropy from probabilities, clipped to [eps, 1 - eps] as Keras does.
template <typename T>
T bce_probs(T ts, T p, const EwParams<T>& P) {
  T pc = std::min(std::max(p, P.eps), P.hi);
  return -(ts * std::log(pc) + (T(1) - ts) * std::log(T(1) - pc));
}

// The element-wise term f(t, p).
template <Ew K, typename T>
inline T ew_value(T t, T p, const EwParams<T>& P) {
  if constexpr (K == Ew::mse) {
    T d = t - p;
    return d * d;
  } else if constexpr (K == Ew::mae) {
    return std::abs(t - p);
  } else if constexpr (K == Ew::mape) {
    return std::abs((t - p) / std::max(std::abs(t), P.eps));
  } else if constexpr (K == Ew::msle) {
    T d = std::log(std::max(p, P.eps) + T(1)) - std::log(std::max(t, P.eps) + T(1));
    return d * d;
  } else if constexpr (K == Ew::huber) {
    T e = p - t, ae = std::abs(e);
    return ae <= P.delta ? T(0.5) * e * e : P.delta * ae - P.half_delta_sq;
  } else if constexpr (K == Ew::log_cosh) {
    T x = p - t;
    return x + loss::softplus(x * T(-2)) - static_cast<T>(std::log(2.0));
  } else if constexpr (K == Ew::hinge || K == Ew::squared_hinge) {
    T tt = P.to_pm1 ? T(2) * t - T(1) : t;
    T m = std::max(T(1) - tt * p, T(0));
    return K == Ew::hinge ? m : m * m;
  } else if constexpr (K == Ew::poisson) {
    return p - t * std::log(p + P.eps);
  } else if constexpr (K == Ew::kld) {
    T tc = std::min(std::max(t, P.eps), T(1)), pc = std::min(std::max(p, P.eps), T(1));
    return tc * std::log(tc / pc);
  } else if constexpr (K == Ew::bce) {
    T ts = t * P.keep + P.add;
    if (P.from_logits) return ts * loss::softplus(-p) + (T(1) - ts) * loss::softplus(p);
    return bce_probs(ts, p, P);
  } else {  // bfce
    T ts = t * P.keep + P.add;
    T q = P.from_logits ? loss::sigmoid(p) : p;
    T pt = ts * q + (T(1) - ts) * (T(1) - q);
    T v = std::pow(T(1) - pt, P.gamma) * bce_probs(ts, q, P);
    if (P.balance) v *= ts * P.alpha + (T(1) - ts) * P.one_minus_alpha;
    return v;
  }
}

// Partial derivatives of the term: dt = df/dt, dp = df/dp (jax's conventions at kinks:
// |x|' = sign(x), 0 where a clip is active).
template <Ew K, typename T>
inline void ew_deriv(T t, T p, const EwParams<T>& P, T& dt, T& dp) {
  if constexpr (K == Ew::mse) {
    dp = T(2) * (p - t);
    dt = -dp;
  } else if constexpr (K == Ew::mae) {
    dp = loss::sign(p - t);
    dt = -dp;
  } else if constexpr (K == Ew::mape) {
    T at = std::abs(t), m = std::max(at, P.eps);
    dp = loss::sign(p - t) / m;
    dt = -dp - (at > P.eps ? std::abs(t - p) * loss::sign(t) / (m * m) : T(0));
  } else if constexpr (K == Ew::msle) {
    T a1 = std::max(p, P.eps) + T(1), b1 = std::max(t, P.eps) + T(1);
    T d = std::log(a1) - std::log(b1);
    dp = p > P.eps ? T(2) * d / a1 : T(0);
    dt = t > P.eps ? T(-2) * d / b1 : T(0);
  } else if constexpr (K == Ew::huber) {
    T e = p - t;
    dp = std::abs(e) <= P.delta ? e : P.delta * loss::sign(e);
    dt = -dp;
  } else if constexpr (K == Ew::log_cosh) {
    // d/dx [x + softplus(-2x)] = 1 - 2 sigmoid(-2x)
    dp = T(1) - T(2) * loss::sigmoid(T(-2) * (p - t));
    dt = -dp;
  } else if constexpr (K == Ew::hinge || K == Ew::squared_hinge) {
    T tt = P.to_pm1 ? T(2) * t - T(1) : t, dtt = P.to_pm1 ? T(2) : T(1);
    T m = T(1) - tt * p;
    T k = m > T(0) ? (K == Ew::hinge ? T(1) : T(2) * m) : T(0);
    dp = -k * tt;
    dt = -k * p * dtt;
  } else if constexpr (K == Ew::poisson) {
    dp = T(1) - t / (p + P.eps);
    dt = -std::log(p + P.eps);
  } else if constexpr (K == Ew::kld) {
    T tc = std::min(std::max(t, P.eps), T(1)), pc = std::min(std::max(p, P.eps), T(1));
    bool p_in = p >= P.eps && p <= T(1), t_in = t >= P.eps && t <= T(1);
    dp = p_in ? -tc / pc : T(0);
    dt = t_in ? std::log(tc / pc) + T(1) : T(0);
  } else if constexpr (K == Ew::bce) {
    T ts = t * P.keep + P.add;
    if (P.from_logits) {
      dp = loss::sigmoid(p) - ts;
      dt = -p * P.dts;  // softplus(-z) - softplus(z) = -z
    } else {
      T pc = std::min(std::max(p, P.eps), P.hi);
      bool in = p >= P.eps && p <= P.hi;
      dp = in ? -ts / p + (T(1) - ts) / (T(1) - p) : T(0);
      dt = -(std::log(pc) - std::log(T(1) - pc)) * P.dts;
    }
  } else {  // bfce: v = w * (1 - pt)^gamma * bce(ts, q)
    T ts = t * P.keep + P.add;
    T q = P.from_logits ? loss::sigmoid(p) : p;
    T qc = std::min(std::max(q, P.eps), P.hi);
    bool in = q >= P.eps && q <= P.hi;
    T pt = ts * q + (T(1) - ts) * (T(1) - q);
    T b = bce_probs(ts, q, P);
    T u = T(1) - pt;
    T f = std::pow(u, P.gamma);
    T df = P.gamma == T(0) ? T(0) : P.gamma * std::pow(u, P.gamma - T(1));  // d f / d u
    T w = P.balance ? ts * P.alpha + (T(1) - ts) * P.one_minus_alpha : T(1);
    T db_dq = in ? -ts / q + (T(1) - ts) / (T(1) - q) : T(0);
    T db_dts = -(std::log(qc) - std::log(T(1) - qc));
    // pt = ts q + (1 - ts)(1 - q): dpt/dq = 2 ts - 1, dpt/dts = 2 q - 1
    T dq = w * (-df * (T(2) * ts - T(1)) * b + f * db_dq);
    dp = P.from_logits ? dq * q * (T(1) - q) : dq;
    T dts = w * (-df * (T(2) * q - T(1)) * b + f * db_dts);
    if (P.balance) dts += (P.alpha - P.one_minus_alpha) * f * b;
    dt = dts * P.dts;
  }
}

template <typename T>
bool all_binary(const T* t, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (t[i] != T(0) && t[i] != T(1)) return false;
  return true;
}

template <Ew K, typename T>
void prepare_call(EwParams<T>& P, const T* t, int64_t n) {
  if constexpr (K == Ew::hinge || K == Ew::squared_hinge) P.to_pm1 = all_binary(t, n);
}

// inputs (y_true, y_pred) -> per-sample values (attr axis reduced)
template <Ew K, typename T>
Kernel ew_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  AxisGeom G = loss::axis_geom(a.in[1].shape, a.attrs.i("axis", -1), a.node);
  EwParams<T> P0 = ew_params<T>(a.attrs);
  int64_t n = a.in[1].numel();
  return [=] {
    EwParams<T> P = P0;
    prepare_call<K>(P, t, n);
    for (int64_t o = 0; o < G.outer; ++o)
      for (int64_t i = 0; i < G.inner; ++i) {
        T acc = 0;
        for (int64_t c = 0; c < G.C; ++c) {
          int64_t k = G.at(o, c, i);
          acc += ew_value<K>(t[k], p[k], P);
        }
        if constexpr (!sums_over_axis<K>()) acc /= static_cast<T>(G.C);
        out[o * G.inner + i] = value_scale<K, T>() * acc;
      }
  };
}

// inputs (dl, y_true, y_pred), attr wrt (0: y_true, 1: y_pred) -> d wrt
template <Ew K, typename T>
Kernel ew_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  AxisGeom G = loss::axis_geom(a.in[2].shape, a.attrs.i("axis", -1), a.node);
  EwParams<T> P0 = ew_params<T>(a.attrs);
  bool wrt_pred = a.attrs.i("wrt", 1) != 0;
  int64_t n = a.in[2].numel();
  T scale = value_scale<K, T>() / (sums_over_axis<K>() ? T(1) : static_cast<T>(G.C));
  return [=] {
    EwParams<T> P = P0;
    prepare_call<K>(P, t, n);
    for (int64_t o = 0; o < G.outer; ++o)
      for (int64_t i = 0; i < G.inner; ++i) {
        T k0 = dl[o * G.inner + i] * scale;
        for (int64_t c = 0; c < G.C; ++c) {
          int64_t k = G.at(o, c, i);
          T dt, dp;
          ew_deriv<K>(t[k], p[k], P, dt, dp);
          dx[k] = k0 * (wrt_pred ? dp : dt);
        }
      }
  };
}

// inputs (dl, y_true, q) with q = sigmoid(z) -> d z = dl / C * (q - t_smoothed), zero where
// Keras clips q: the exact chain rule through the clip and the sigmoid.
template <typename T>
Kernel sigmoid_bce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* q = a.in[2].ptr<T>();
  T* dz = a.out[0].ptr<T>();
  AxisGeom G = loss::axis_geom(a.in[2].shape, a.attrs.i("axis", -1), a.node);
  EwParams<T> P = ew_params<T>(a.attrs);
  T inv_c = T(1) / static_cast<T>(G.C);
  return [=] {
    for (int64_t o = 0; o < G.outer; ++o)
      for (int64_t i = 0; i < G.inner; ++i) {
        T k0 = dl[o * G.inner + i] * inv_c;
        for (int64_t c = 0; c < G.C; ++c) {
          int64_t k = G.at(o, c, i);
          bool in = q[k] >= P.eps && q[k] <= P.hi;
          dz[k] = in ? k0 * (q[k] - (t[k] * P.keep + P.add)) : T(0);
        }
      }
  };
}

template <Ew K>
Kernel ew_factory(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? ew_kernel<K, double>(a) : ew_kernel<K, float>(a);
}
template <Ew K>
Kernel ew_grad_factory(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? ew_grad_kernel<K, double>(a) : ew_grad_kernel<K, float>(a);
}

template <Ew K>
void ew_grad_rule(GradCtx& g);

// Registers NAME (forward) and NAME_grad for one kind; variables named by KIND, one line each.
#define PKC_EW_LOSS(NAME, KIND)                                                                     \
  template <>                                                                                       \
  void ew_grad_rule<Ew::KIND>(GradCtx & g) { loss::emit_paired_grads(g, NAME "_grad"); }            \
  static OpRegistrar ew_fwd_##KIND({.name = NAME, .infer = loss::paired_infer,                      \
                                    .grad = ew_grad_rule<Ew::KIND>, .kernel = {ew_factory<Ew::KIND>}}); \
  static OpRegistrar ew_bwd_##KIND({.name = NAME "_grad", .infer = loss::paired_grad_infer,         \
                                    .kernel = {ew_grad_factory<Ew::KIND>}})

PKC_EW_LOSS("mean_squared_error", mse);
PKC_EW_LOSS("mean_absolute_error", mae);
PKC_EW_LOSS("mean_absolute_percentage_error", mape);
PKC_EW_LOSS("mean_squared_logarithmic_error", msle);
PKC_EW_LOSS("huber", huber);
PKC_EW_LOSS("log_cosh", log_cosh);
PKC_EW_LOSS("hinge", hinge);
PKC_EW_LOSS("squared_hinge", squared_hinge);
PKC_EW_LOSS("poisson", poisson);
PKC_EW_LOSS("kl_divergence", kld);
PKC_EW_LOSS("binary_focal_crossentropy", bfce);

// Binary crossentropy from probabilities produced by a sigmoid: gradient straight to the logits.
template <>
void ew_grad_rule<Ew::bce>(GradCtx& g) {
  int pred = g.input(1);
  bool fuse = g.fusion_enabled() && !g.attrs().i("from_logits", 0) && g.producer_op(pred) == "sigmoid";
  loss::emit_paired_grads(g, "binary_crossentropy_grad", fuse);
  if (fuse && g.needs_grad(1)) {
    int z = g.producer_input(pred, 0);
    if (g.value_needs_grad(z))
      g.add_value_grad(z, g.emit1("sigmoid_binary_crossentropy_grad", {loss::grad_in_dtype_of(g, g.out_grad(0), pred), g.input(0), pred}, g.attrs()));
  }
}
PKC_REGISTER_OP({.name = "binary_crossentropy", .infer = loss::paired_infer, .grad = ew_grad_rule<Ew::bce>,
                 .kernel = {ew_factory<Ew::bce>}});
PKC_REGISTER_OP({.name = "binary_crossentropy_grad", .infer = loss::paired_grad_infer,
                 .kernel = {ew_grad_factory<Ew::bce>}});
PKC_REGISTER_OP({.name = "sigmoid_binary_crossentropy_grad", .infer = loss::paired_grad_infer,
                 .kernel = {PKC_FLOAT_KERNEL(sigmoid_bce_grad_kernel)}});

}  // namespace
}  // namespace pkc
