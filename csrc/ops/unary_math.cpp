// Unary element-wise math: square, sqrt, exp, log, log1p, abs, sign and clip, with their
// gradients (one `unary_grad` op keyed by attr "fn", and `clip_grad`). Gradient conventions
// follow JAX: d|x|/dx = 1 at 0, sign has a zero gradient, clip's bounds get half.
#include <cmath>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

enum class Fn { square, sqrt, exp, log, log1p, abs, sign };

Fn fn_from_name(const std::string& s, const std::string& node) {
  if (s == "square") return Fn::square;
  if (s == "sqrt") return Fn::sqrt;
  if (s == "exp") return Fn::exp;
  if (s == "log") return Fn::log;
  if (s == "log1p") return Fn::log1p;
  if (s == "abs") return Fn::abs;
  if (s == "sign") return Fn::sign;
  PKC_THROW(Value, node, ": unknown unary function '", s, "'");
}

template <Fn F, typename T>
inline T apply(T x) {
  if constexpr (F == Fn::square) return x * x;
  if constexpr (F == Fn::abs) return x < T(0) ? T(-x) : x;
  if constexpr (F == Fn::sign) return x != x ? x : static_cast<T>((T(0) < x) - (x < T(0)));
  if constexpr (std::is_floating_point_v<T>) {
    if constexpr (F == Fn::sqrt) return std::sqrt(x);
    if constexpr (F == Fn::exp) return std::exp(x);
    if constexpr (F == Fn::log) return std::log(x);
    if constexpr (F == Fn::log1p) return std::log1p(x);
  }
  return x;  // unreachable: integer inputs to float-only functions are rejected by the shape rule
}

constexpr bool float_only(Fn f) { return f == Fn::sqrt || f == Fn::exp || f == Fn::log || f == Fn::log1p; }

template <Fn F>
std::vector<TensorInfo> unary_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  DType dt = c.in[0].dtype;
  if (float_only(F))
    check_floating(c, 0);
  else
    PKC_CHECK(is_numeric_kernel_dtype(dt) && dt != DType::bool_, Type, c.node, ": unsupported dtype ",
              dtype_name(dt));
  return {c.in[0]};
}

template <Fn F>
Kernel unary_kernel(const KernelArgs& a) {
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      PKC_THROW(Type, a.node, ": bool input");
    } else {
      const T* x = a.in[0].ptr<T>();
      T* y = a.out[0].ptr<T>();
      int64_t n = a.in[0].numel();
      return [=] {
        for (int64_t i = 0; i < n; ++i) y[i] = apply<F, T>(x[i]);
      };
    }
  });
}

// dx = dy * f'(x), written with the forward output y where that is cheaper (exp, sqrt).
template <Fn F, typename T>
inline T derivative(T x, T y) {
  if constexpr (F == Fn::square) return T(2) * x;
  if constexpr (F == Fn::sqrt) return T(0.5) / y;
  if constexpr (F == Fn::exp) return y;
  if constexpr (F == Fn::log) return T(1) / x;
  if constexpr (F == Fn::log1p) return T(1) / (T(1) + x);
  if constexpr (F == Fn::abs) return x >= T(0) ? T(1) : T(-1);
  return T(0);
}

template <Fn F, typename T>
Kernel unary_grad_loop(const T* dy, const T* x, const T* y, T* dx, int64_t n) {
  return [=] {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * derivative<F, T>(x[i], y[i]);
  };
}

template <typename T>
Kernel unary_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const T* y = a.in[2].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int64_t n = a.out[0].numel();
  switch (fn_from_name(a.attrs.s("fn", ""), a.node)) {
    case Fn::square: return unary_grad_loop<Fn::square, T>(dy, x, y, dx, n);
    case Fn::sqrt: return unary_grad_loop<Fn::sqrt, T>(dy, x, y, dx, n);
    case Fn::exp: return unary_grad_loop<Fn::exp, T>(dy, x, y, dx, n);
    case Fn::log: return unary_grad_loop<Fn::log, T>(dy, x, y, dx, n);
    case Fn::log1p: return unary_grad_loop<Fn::log1p, T>(dy, x, y, dx, n);
    case Fn::abs: return unary_grad_loop<Fn::abs, T>(dy, x, y, dx, n);
    case Fn::sign: break;
  }
  return unary_grad_loop<Fn::sign, T>(dy, x, y, dx, n);
}

// unary_grad(dy, x, y; fn) -> dx
std::vector<TensorInfo> unary_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 3);
  fn_from_name(c.attrs.s("fn", ""), c.node);
  return {{c.in[1].shape, common_floating(c, {0, 1, 2})}};
}

template <Fn F>
void unary_grad(GradCtx& g) {
  if (!is_floating(g.info(g.input(0)).dtype)) return;
  if (F == Fn::sign) {
    g.set_grad(0, g.emit1("zeros_like", {g.input(0)}));
    return;
  }
  static const char* names[] = {"square", "sqrt", "exp", "log", "log1p", "abs", "sign"};
  Attrs at;
  at.set("fn", std::string(names[static_cast<int>(F)]));
  g.set_grad(0, g.emit1("unary_grad", {g.out_grad(0), g.input(0), g.output(0)}, at));
}

// ---------------------------------------------------------------- clip(x; min, max)
std::vector<TensorInfo> clip_infer(const ShapeCtx& c) {
  auto out = unary_infer<Fn::abs>(c);
  PKC_CHECK(c.attrs.has("min") && c.attrs.has("max"), Value, c.node, ": clip needs attrs min and max");
  return out;
}

template <typename T>
Kernel clip_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  // min(max(x, lo), hi), as NumPy and JAX compose it (lo > hi gives hi everywhere).
  T lo = static_cast<T>(a.attrs.f("min", 0)), hi = static_cast<T>(a.attrs.f("max", 0));
  return [=] {
    for (int64_t i = 0; i < n; ++i) {
      T v = x[i] < lo ? lo : x[i];
      y[i] = v > hi ? hi : v;
    }
  };
}

Kernel clip_kernel(const KernelArgs& a) {
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      PKC_THROW(Type, a.node, ": bool input");
    } else {
      return clip_kernel_t<T>(a);
    }
  });
}

// The gradient of min(max(x, lo), hi) with JAX's even split at ties: each bound that x sits
// exactly on halves the gradient.
template <typename T>
Kernel clip_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int64_t n = a.out[0].numel();
  T lo = static_cast<T>(a.attrs.f("min", 0)), hi = static_cast<T>(a.attrs.f("max", 0));
  return [=] {
    for (int64_t i = 0; i < n; ++i) {
      T xv = x[i];
      T w = xv > lo ? T(1) : (xv == lo ? T(0.5) : T(0));
      T m = xv > lo ? xv : lo;
      w *= m < hi ? T(1) : (m == hi ? T(0.5) : T(0));
      dx[i] = dy[i] * w;
    }
  };
}

std::vector<TensorInfo> clip_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  return {{c.in[1].shape, common_floating(c, {0, 1})}};
}

void clip_grad(GradCtx& g) {
  if (!is_floating(g.info(g.input(0)).dtype)) return;
  g.set_grad(0, g.emit1("clip_grad", {g.out_grad(0), g.input(0)}, g.attrs()));
}

PKC_REGISTER_OP({.name = "square", .infer = unary_infer<Fn::square>, .grad = unary_grad<Fn::square>, .kernel = {unary_kernel<Fn::square>}});
PKC_REGISTER_OP({.name = "sqrt", .infer = unary_infer<Fn::sqrt>, .grad = unary_grad<Fn::sqrt>, .kernel = {unary_kernel<Fn::sqrt>}});
PKC_REGISTER_OP({.name = "exp", .infer = unary_infer<Fn::exp>, .grad = unary_grad<Fn::exp>, .kernel = {unary_kernel<Fn::exp>}});
PKC_REGISTER_OP({.name = "log", .infer = unary_infer<Fn::log>, .grad = unary_grad<Fn::log>, .kernel = {unary_kernel<Fn::log>}});
PKC_REGISTER_OP({.name = "log1p", .infer = unary_infer<Fn::log1p>, .grad = unary_grad<Fn::log1p>, .kernel = {unary_kernel<Fn::log1p>}});
PKC_REGISTER_OP({.name = "abs", .infer = unary_infer<Fn::abs>, .grad = unary_grad<Fn::abs>, .kernel = {unary_kernel<Fn::abs>}});
PKC_REGISTER_OP({.name = "sign", .infer = unary_infer<Fn::sign>, .grad = unary_grad<Fn::sign>, .kernel = {unary_kernel<Fn::sign>}});
PKC_REGISTER_OP({.name = "unary_grad", .infer = unary_grad_infer, .kernel = {PKC_FLOAT_KERNEL(unary_grad_kernel)}});
PKC_REGISTER_OP({.name = "clip", .infer = clip_infer, .grad = clip_grad, .kernel = {clip_kernel}});
PKC_REGISTER_OP({.name = "clip_grad", .infer = clip_grad_infer, .kernel = {PKC_FLOAT_KERNEL(clip_grad_kernel)}});

}  // namespace
}  // namespace pkc
