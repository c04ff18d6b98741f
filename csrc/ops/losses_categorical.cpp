// Losses over a class axis that couple its entries, with Keras 3 / JAX numerics:
// categorical_crossentropy, categorical_focal_crossentropy, categorical_hinge and
// cosine_similarity, each as a forward kernel and one gradient kernel (attr wrt picks y_true
// or y_pred). Softmax + categorical crossentropy has a fused backward straight to the logits.
// Labels given as class ids are losses_sparse.cpp's business.
#include <algorithm>
#include <cmath>

#include "ops/losses.h"

namespace pkc {
namespace {

using loss::AxisGeom;

// Label smoothing as Keras writes it: t * (1 - ls) + ls / C, in the kernel's type.
template <typename T>
struct Smooth {
  T keep = 1, add = 0;
  T operator()(T t) const { return t * keep + add; }
};
template <typename T>
Smooth<T> smoothing(const Attrs& a, int64_t C) {
  Smooth<T> s;
  double ls = a.f("label_smoothing", 0.0);
  if (ls != 0.0) {
    s.keep = static_cast<T>(1.0 - ls);
    s.add = static_cast<T>(ls) / static_cast<T>(C);
  }
  return s;
}

// One row (o, i) of the class axis.
template <typename T>
struct Row {
  const T* x;
  int64_t stride;
  T operator[](int64_t c) const { return x[c * stride]; }
};

template <typename T>
struct LogitsStats {  // max, sum of exp(z - max) and its log, as jax.nn computes them
  T m, se, lse;
};
template <typename T>
LogitsStats<T> logits_stats(Row<T> z, int64_t C) {
  T m = -INFINITY;
  for (int64_t c = 0; c < C; ++c) m = std::max(m, z[c]);
  T s = 0;
  for (int64_t c = 0; c < C; ++c) s += std::exp(z[c] - m);
  return {m, s, std::log(s)};
}

template <typename T>
T row_sum(Row<T> p, int64_t C) {
  T s = 0;
  for (int64_t c = 0; c < C; ++c) s += p[c];
  return s;
}

// Runs f(o, i, base, stride) for every per-sample position of a kernel's geometry.
template <typename F>
void for_rows(const AxisGeom& G, F&& f) {
  for (int64_t o = 0; o < G.outer; ++o)
    for (int64_t i = 0; i < G.inner; ++i) f(o * G.inner + i, G.at(o, 0, i), G.inner);
}

struct Common {
  AxisGeom G;
  bool from_logits, wrt_pred;
};
Common common(const KernelArgs& a, int pred_index) {
  return {loss::axis_geom(a.in[pred_index].shape, a.attrs.i("axis", -1), a.node),
          a.attrs.i("from_logits", 0) != 0, a.attrs.i("wrt", 1) != 0};
}

// ================================================================ categorical_crossentropy
template <typename T>
Kernel cce_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  Common k = common(a, 1);
  Smooth<T> sm = smoothing<T>(a.attrs, k.G.C);
  int64_t C = k.G.C;
  T lo = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      T v = 0;
      if (k.from_logits) {
        LogitsStats<T> L = logits_stats(pr, C);
        for (int64_t c = 0; c < C; ++c) v += sm(tr[c]) * ((pr[c] - L.m) - L.lse);
      } else {
        T s = row_sum(pr, C);
        for (int64_t c = 0; c < C; ++c) v += sm(tr[c]) * std::log(std::min(std::max(pr[c] / s, lo), hi));
      }
      out[r] = -v;
    });
  };
}

// From probabilities, with s = sum(p) and A = sum of smoothed labels over unclipped classes:
// dv/dp_k = A / s - [k unclipped] t_k / p_k.  From logits: dv/dz_k = sum(t) softmax_k - t_k.
// dv/dt_j = -(1 - ls) log q_j.
template <typename T>
Kernel cce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Common k = common(a, 2);
  Smooth<T> sm = smoothing<T>(a.attrs, k.G.C);
  int64_t C = k.G.C;
  T lo = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      T* d = dx + b;
      T g = dl[r];
      if (k.from_logits) {
        LogitsStats<T> L = logits_stats(pr, C);
        if (!k.wrt_pred) {
          for (int64_t c = 0; c < C; ++c) d[c * st] = -g * sm.keep * ((pr[c] - L.m) - L.lse);
          return;
        }
        T tsum = 0;
        for (int64_t c = 0; c < C; ++c) tsum += sm(tr[c]);
        for (int64_t c = 0; c < C; ++c) d[c * st] = g * (tsum * std::exp((pr[c] - L.m) - L.lse) - sm(tr[c]));
        return;
      }
      T s = row_sum(pr, C);
      if (!k.wrt_pred) {
        for (int64_t c = 0; c < C; ++c) d[c * st] = -g * sm.keep * std::log(std::min(std::max(pr[c] / s, lo), hi));
        return;
      }
      T A = 0;
      for (int64_t c = 0; c < C; ++c) {
        T q = pr[c] / s;
        if (q >= lo && q <= hi) A += sm(tr[c]);
      }
      for (int64_t c = 0; c < C; ++c) {
        T q = pr[c] / s;
        bool in = q >= lo && q <= hi;
        d[c * st] = g * (A / s - (in ? sm(tr[c]) / pr[c] : T(0)));
      }
    });
  };
}

// inputs (dl, y_true, p) with p = softmax(z) over the last axis -> d z. Since the loss depends on
// p only through p / sum(p), the softmax Jacobian reduces to dz_k = p_k dv/dp_k =
// p_k A / s - [k unclipped] t_k: "p - t", zero where Keras clips.
template <typename T>
Kernel softmax_cce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dz = a.out[0].ptr<T>();
  Common k = common(a, 2);
  Smooth<T> sm = smoothing<T>(a.attrs, k.G.C);
  int64_t C = k.G.C;
  T lo = loss::eps<T>(), hi = loss::one_minus_eps<T>();
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      T* d = dz + b;
      T s = row_sum(pr, C), A = 0;
      for (int64_t c = 0; c < C; ++c) {
        T q = pr[c] / s;
        if (q >= lo && q <= hi) A += sm(tr[c]);
      }
      for (int64_t c = 0; c < C; ++c) {
        T q = pr[c] / s;
        bool in = q >= lo && q <= hi;
        d[c * st] = dl[r] * (pr[c] * A / s - (in ? sm(tr[c]) : T(0)));
      }
    });
  };
}

void cce_grad_rule(GradCtx& g) {
  int pred = g.input(1);
  bool fuse = !g.attrs().i("from_logits", 0) && loss::fed_by_last_axis_softmax(g, pred, g.attrs().i("axis", -1));
  loss::emit_paired_grads(g, "categorical_crossentropy_grad", fuse);
  if (fuse && g.needs_grad(1)) {
    int z = g.producer_input(pred, 0);
    if (g.value_needs_grad(z))
      g.add_value_grad(z, g.emit1("softmax_categorical_crossentropy_grad", {loss::grad_in_dtype_of(g, g.out_grad(0), pred), g.input(0), pred}, g.attrs()));
  }
}

// ====================================================== categorical_focal_crossentropy
// o = p / sum(p) (p = softmax(z) when from_logits), oc = clip(o); v = sum_j alpha (1 - oc_j)^gamma
// (-t_j log oc_j).
template <typename T>
struct Focal {
  T alpha, gamma, lo, hi;
  Smooth<T> sm;
  // probabilities of a row (softmax first when from logits) into a value per class via f(c, p_c, s)
  template <typename F>
  void probs(Row<T> x, int64_t C, bool from_logits, F&& f) const {
    if (from_logits) {
      LogitsStats<T> L = logits_stats(x, C);
      T s = 0;  // jax.nn.softmax: exp(z - max) / sum, then Keras renormalises by the sum
      for (int64_t c = 0; c < C; ++c) s += std::exp(x[c] - L.m) / L.se;
      for (int64_t c = 0; c < C; ++c) f(c, std::exp(x[c] - L.m) / L.se, s);
    } else {
      T s = row_sum(x, C);
      for (int64_t c = 0; c < C; ++c) f(c, x[c], s);
    }
  }
  T clip(T o) const { return std::min(std::max(o, lo), hi); }
};
template <typename T>
Focal<T> focal(const KernelArgs& a, int64_t C) {
  return {static_cast<T>(a.attrs.f("alpha", 0.25)), static_cast<T>(a.attrs.f("gamma", 2.0)), loss::eps<T>(),
          loss::one_minus_eps<T>(), smoothing<T>(a.attrs, C)};
}

template <typename T>
Kernel cfce_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  Common k = common(a, 1);
  Focal<T> F = focal<T>(a, k.G.C);
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st};
      T v = 0;
      F.probs(Row<T>{p + b, st}, k.G.C, k.from_logits, [&](int64_t c, T pc, T s) {
        T oc = F.clip(pc / s);
        v += F.alpha * std::pow(T(1) - oc, F.gamma) * (-F.sm(tr[c]) * std::log(oc));
      });
      out[r] = v;
    });
  };
}

// G_j = dv/do_j = [j unclipped] alpha t_j (gamma (1-o_j)^(gamma-1) log o_j - (1-o_j)^gamma / o_j);
// dv/dp_k = (G_k - sum_j G_j o_j) / s; through a softmax dz_k = p_k dv/dp_k (the sum over
// p_j dv/dp_j vanishes because v depends on p / sum(p) only).
template <typename T>
Kernel cfce_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Common k = common(a, 2);
  Focal<T> F = focal<T>(a, k.G.C);
  auto Gj = [F](T o, T tj) {
    if (o < F.lo || o > F.hi) return T(0);
    T u = T(1) - o;
    T du = F.gamma == T(0) ? T(0) : F.gamma * std::pow(u, F.gamma - T(1));
    return F.alpha * tj * (du * std::log(o) - std::pow(u, F.gamma) / o);
  };
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      T* d = dx + b;
      T g = dl[r];
      if (!k.wrt_pred) {
        F.probs(pr, k.G.C, k.from_logits, [&](int64_t c, T pc, T s) {
          T oc = F.clip(pc / s);
          d[c * st] = g * F.sm.keep * F.alpha * std::pow(T(1) - oc, F.gamma) * (-std::log(oc));
        });
        return;
      }
      T H = 0;
      F.probs(pr, k.G.C, k.from_logits, [&](int64_t c, T pc, T s) {
        T o = pc / s;
        H += Gj(o, F.sm(tr[c])) * o;
      });
      F.probs(pr, k.G.C, k.from_logits, [&](int64_t c, T pc, T s) {
        T dp = (Gj(pc / s, F.sm(tr[c])) - H) / s;
        d[c * st] = g * (k.from_logits ? pc * dp : dp);
      });
    });
  };
}

// ================================================================== categorical_hinge
// v = max(max_j (1 - t_j) p_j - sum_j t_j p_j + 1, 0); ties of the max share its gradient
// equally, as jax's reduce-max rule does.
template <typename T>
struct HingeRow {
  T neg, pos, v;
  int64_t ties;
};
template <typename T>
HingeRow<T> hinge_row(Row<T> tr, Row<T> pr, int64_t C) {
  HingeRow<T> h{-INFINITY, 0, 0, 0};
  for (int64_t c = 0; c < C; ++c) {
    h.pos += tr[c] * pr[c];
    h.neg = std::max(h.neg, (T(1) - tr[c]) * pr[c]);
  }
  for (int64_t c = 0; c < C; ++c) h.ties += (T(1) - tr[c]) * pr[c] == h.neg;
  h.v = std::max(h.neg - h.pos + T(1), T(0));
  return h;
}

template <typename T>
Kernel cat_hinge_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  Common k = common(a, 1);
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      out[r] = hinge_row(Row<T>{t + b, st}, Row<T>{p + b, st}, k.G.C).v;
    });
  };
}

template <typename T>
Kernel cat_hinge_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Common k = common(a, 2);
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      HingeRow<T> h = hinge_row(tr, pr, k.G.C);
      T g = h.v > T(0) ? dl[r] : T(0);
      T share = T(1) / static_cast<T>(h.ties);
      for (int64_t c = 0; c < k.G.C; ++c) {
        T at_max = (T(1) - tr[c]) * pr[c] == h.neg ? share : T(0);
        dx[b + c * st] = k.wrt_pred ? g * ((T(1) - tr[c]) * at_max - tr[c]) : g * (-pr[c] * at_max - pr[c]);
      }
    });
  };
}

// ================================================================== cosine_similarity
// v = -sum((t * it) * (p * ip)) with ix = min(rsqrt(sum x^2), 1 / eps) (keras.ops.normalize).
template <typename T>
struct CosRow {
  T tp, it, ip;
  bool t_capped, p_capped;
};
template <typename T>
CosRow<T> cos_row(Row<T> tr, Row<T> pr, int64_t C) {
  T st = 0, sp = 0, tp = 0;
  for (int64_t c = 0; c < C; ++c) {
    st += tr[c] * tr[c];
    sp += pr[c] * pr[c];
    tp += tr[c] * pr[c];
  }
  T cap = T(1) / loss::eps<T>();
  T it = T(1) / std::sqrt(st), ip = T(1) / std::sqrt(sp);
  return {tp, std::min(it, cap), std::min(ip, cap), !(it < cap), !(ip < cap)};
}

template <typename T>
Kernel cosine_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  Common k = common(a, 1);
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      CosRow<T> h = cos_row(tr, pr, k.G.C);
      T v = 0;
      for (int64_t c = 0; c < k.G.C; ++c) v += (tr[c] * h.it) * (pr[c] * h.ip);
      out[r] = -v;
    });
  };
}

// dv/dp_k = -it ip (t_k - [ip not capped] (t.p) p_k ip^2), and symmetrically for t.
template <typename T>
Kernel cosine_grad_kernel(const KernelArgs& a) {
  const T* dl = a.in[0].ptr<T>();
  const T* t = a.in[1].ptr<T>();
  const T* p = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  Common k = common(a, 2);
  return [=] {
    for_rows(k.G, [&](int64_t r, int64_t b, int64_t st) {
      Row<T> tr{t + b, st}, pr{p + b, st};
      CosRow<T> h = cos_row(tr, pr, k.G.C);
      Row<T> other = k.wrt_pred ? tr : pr, self = k.wrt_pred ? pr : tr;
      T n_self = k.wrt_pred ? h.ip : h.it;
      bool capped = k.wrt_pred ? h.p_capped : h.t_capped;
      T g = -dl[r] * h.it * h.ip;
      for (int64_t c = 0; c < k.G.C; ++c)
        dx[b + c * st] = g * (other[c] - (capped ? T(0) : h.tp * self[c] * n_self * n_self));
    });
  };
}

void cfce_grad_rule(GradCtx& g) { loss::emit_paired_grads(g, "categorical_focal_crossentropy_grad"); }
void cat_hinge_grad_rule(GradCtx& g) { loss::emit_paired_grads(g, "categorical_hinge_grad"); }
void cosine_grad_rule(GradCtx& g) { loss::emit_paired_grads(g, "cosine_similarity_grad"); }

// categorical_hinge has no axis argument in Keras: always the last axis.
std::vector<TensorInfo> last_axis_infer(const ShapeCtx& c) {
  PKC_CHECK(!c.attrs.has("axis") || c.attrs.i("axis", -1) == -1, Value, c.node,
            ": categorical_hinge reduces over the last axis only");
  return loss::paired_infer(c);
}

PKC_REGISTER_OP({.name = "categorical_crossentropy", .infer = loss::paired_infer, .grad = cce_grad_rule, .kernel = {PKC_FLOAT_KERNEL(cce_kernel)}});
PKC_REGISTER_OP({.name = "categorical_crossentropy_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(cce_grad_kernel)}});
PKC_REGISTER_OP({.name = "softmax_categorical_crossentropy_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(softmax_cce_grad_kernel)}});
PKC_REGISTER_OP({.name = "categorical_focal_crossentropy", .infer = loss::paired_infer, .grad = cfce_grad_rule, .kernel = {PKC_FLOAT_KERNEL(cfce_kernel)}});
PKC_REGISTER_OP({.name = "categorical_focal_crossentropy_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(cfce_grad_kernel)}});
PKC_REGISTER_OP({.name = "categorical_hinge", .infer = last_axis_infer, .grad = cat_hinge_grad_rule, .kernel = {PKC_FLOAT_KERNEL(cat_hinge_kernel)}});
PKC_REGISTER_OP({.name = "categorical_hinge_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(cat_hinge_grad_kernel)}});
PKC_REGISTER_OP({.name = "cosine_similarity", .infer = loss::paired_infer, .grad = cosine_grad_rule, .kernel = {PKC_FLOAT_KERNEL(cosine_kernel)}});
PKC_REGISTER_OP({.name = "cosine_similarity_grad", .infer = loss::paired_grad_infer, .kernel = {PKC_FLOAT_KERNEL(cosine_grad_kernel)}});

}  // namespace
}  // namespace pkc
