// Element-wise activations whose derivative needs the input x (or a parameter): leaky_relu
// (Keras's general relu: negative_slope, max_value, threshold), elu, selu, gelu (exact and
// tanh-approximate), softplus, silu, softsign. Each op `<name>`(x) has `<name>_grad`(dy, x) with the same
// attrs. Parameter parsing happens in the kernel factory; closures only loop.
#include <algorithm>
#include <cmath>

#include "ops/activations.h"
#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

// Keras's relu(x, negative_slope, max_value, threshold):
//   y = clip(x > t ? x : 0, 0, max) - slope * max(t - x, 0); no clip without max_value.
struct LeakyRelu {
  static constexpr const char* kName = "leaky_relu";
  double slope, max, threshold;
  bool has_max;
  explicit LeakyRelu(const Attrs& at)
      : slope(at.f("negative_slope", 0.2)), max(at.f("max_value", 0.0)), threshold(at.f("threshold", 0.0)),
        has_max(at.has("max_value")) {}
  template <typename T>
  T f(T x) const {
    T t = T(threshold);
    T pos = x > t ? x : T(0);
    if (has_max) pos = std::min(std::max(pos, T(0)), T(max));
    return x < t ? pos - T(slope) * (t - x) : pos;
  }
  template <typename T>
  T df(T x) const {
    T t = T(threshold);
    T d = x > t && (!has_max || (x > T(0) && x < T(max))) ? T(1) : T(0);
    return x < t ? d + T(slope) : d;
  }
};

// elu: x for x > 0, alpha * (e^x - 1) otherwise (expm1 keeps small |x| exact).
struct Elu {
  static constexpr const char* kName = "elu";
  double alpha;
  explicit Elu(const Attrs& at) : alpha(at.f("alpha", 1.0)) {}
  template <typename T>
  T f(T x) const { return x > T(0) ? x : T(alpha) * std::expm1(x); }
  template <typename T>
  T df(T x) const { return x > T(0) ? T(1) : T(alpha) * std::exp(x); }
};

// selu = scale * elu(x, alpha) with the constants of Klambauer et al. (as Keras/JAX).
struct Selu {
  static constexpr const char* kName = "selu";
  static constexpr double kAlpha = 1.6732632423543772848170429916717;
  static constexpr double kScale = 1.0507009873554804934193349852946;
  explicit Selu(const Attrs&) {}
  template <typename T>
  T f(T x) const { return T(kScale) * (x > T(0) ? x : T(kAlpha) * std::expm1(x)); }
  template <typename T>
  T df(T x) const { return x > T(0) ? T(kScale) : T(kScale) * T(kAlpha) * std::exp(x); }
};

// gelu exact: x * Phi(x) = x/2 * erfc(-x/sqrt(2)); approximate: x/2 * (1 + tanh(c (x + k x^3))).
struct Gelu {
  static constexpr const char* kName = "gelu";
  static constexpr double kSqrtHalf = 0.70710678118654752440;
  static constexpr double kInvSqrt2Pi = 0.39894228040143267794;
  static constexpr double kSqrt2OverPi = 0.79788456080286535588;
  static constexpr double kCubic = 0.044715;
  bool approximate;
  explicit Gelu(const Attrs& at) : approximate(at.i("approximate", 1) != 0) {}
  // The tanh form's 0.5 (1 + tanh(u)) equals sigmoid(2u), which does not cancel for x << 0.
  template <typename T>
  static T inner(T x) { return T(kSqrt2OverPi) * (x + T(kCubic) * (x * x * x)); }
  template <typename T>
  T f(T x) const {
    if (approximate) return x * sigmoid_f(T(2) * inner(x));
    return T(0.5) * x * std::erfc(-x * T(kSqrtHalf));
  }
  template <typename T>
  T df(T x) const {
    if (approximate) {
      T s = sigmoid_f(T(2) * inner(x));
      T ss = s * (T(1) - s);
      if (ss == T(0)) return s;  // saturated: avoid 0 * inf once x^2 overflows
      T du = T(kSqrt2OverPi) * (T(1) + T(3 * kCubic) * x * x);
      return s + T(2) * x * ss * du;
    }
    return T(0.5) * std::erfc(-x * T(kSqrtHalf)) + x * T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
  }
};

// softplus: log(1 + e^x) as max(x, 0) + log1p(e^-|x|): no overflow for large x, no loss of
// tiny values for very negative x; derivative sigmoid(x).
struct Softplus {
  static constexpr const char* kName = "softplus";
  explicit Softplus(const Attrs&) {}
  template <typename T>
  T f(T x) const { return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x))); }
  template <typename T>
  T df(T x) const { return sigmoid_f(x); }
};

// silu (swish): x * sigmoid(x).
struct Silu {
  static constexpr const char* kName = "silu";
  explicit Silu(const Attrs&) {}
  template <typename T>
  T f(T x) const { return x * sigmoid_f(x); }
  template <typename T>
  T df(T x) const {
    T s = sigmoid_f(x);
    return s * (T(1) + x * (T(1) - s));
  }
};

// softsign: x / (|x| + 1).
struct Softsign {
  static constexpr const char* kName = "softsign";
  explicit Softsign(const Attrs&) {}
  template <typename T>
  T f(T x) const { return x / (std::abs(x) + T(1)); }
  template <typename T>
  T df(T x) const {
    T d = std::abs(x) + T(1);
    return T(1) / (d * d);
  }
};

template <class Op, typename T>
Kernel forward_t(const KernelArgs& a) {
  const Op op(a.attrs);
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) y[i] = op.template f<T>(x[i]);
  };
}

template <class Op>
Kernel forward(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? forward_t<Op, double>(a) : forward_t<Op, float>(a);
}

// dx = dy * f'(x); inputs (dy, x)
template <class Op, typename T>
Kernel backward_t(const KernelArgs& a) {
  const Op op(a.attrs);
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * op.template df<T>(x[i]);
  };
}

template <class Op>
Kernel backward(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? backward_t<Op, double>(a) : backward_t<Op, float>(a);
}

template <class Op>
void grad_rule(GradCtx& g) {
  g.set_grad(0, g.emit1(std::string(Op::kName) + "_grad", {g.out_grad(0), g.input(0)}, g.attrs()));
}

void check_number_attrs(const ShapeCtx& c, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (!c.attrs.has(k)) continue;
    double v = 0;
    try {
      v = c.attrs.f(k, 0.0);
    } catch (const Error&) {
      PKC_THROW(Type, c.node, ": attribute '", k, "' must be a number");
    }
    PKC_CHECK(std::isfinite(v), Value, c.node, ": attribute '", k, "' must be finite, got ", v);
  }
}

std::vector<TensorInfo> unary_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  check_floating(c, 0);
  check_number_attrs(c, {"negative_slope", "max_value", "threshold", "alpha"});
  return {c.in[0]};
}

// (dy, x): same shape and float dtype.
std::vector<TensorInfo> grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  common_floating(c, {0, 1});
  PKC_CHECK(c.in[0].shape == c.in[1].shape, Value, c.node, ": gradient shape ", shape_str(c.in[0].shape),
            " does not match input shape ", shape_str(c.in[1].shape));
  return {c.in[0]};
}

template <class Op>
struct Registrar {
  Registrar() {
    std::string name = Op::kName;
    OpRegistry::instance().add({.name = name, .infer = unary_infer, .grad = grad_rule<Op>, .kernel = {forward<Op>}});
    OpRegistry::instance().add({.name = name + "_grad", .infer = grad_infer, .kernel = {backward<Op>}});
  }
};

Registrar<LeakyRelu> reg_leaky_relu;
Registrar<Elu> reg_elu;
Registrar<Selu> reg_selu;
Registrar<Gelu> reg_gelu;
Registrar<Softplus> reg_softplus;
Registrar<Silu> reg_silu;
Registrar<Softsign> reg_softsign;

}  // namespace
}  // namespace pkc
