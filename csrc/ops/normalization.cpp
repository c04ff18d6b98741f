// Normalization ops (Keras formulas): layer_normalization over a contiguous block of axes; batch_moments
// (per-channel batch mean and biased variance) and batch_normalization (normalise with given
// statistics), which compose training-mode batch normalization as Keras does; their gradient
// ops; and moving_average_update, which updates a state variable in place. Every op views its input as [P, M, Q] with the
// normalized/channel block as M; gamma and beta are indexed by m. Statistics are summed in
// double in a fixed order; kernels never allocate per step.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

struct PMQ {
  int64_t P = 1, M = 1, Q = 1;
};

// dims [0, a0) -> P, [a0, a1] -> M, (a1, rank) -> Q
PMQ split3(const Shape& s, int a0, int a1) {
  PMQ v;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) (d < a0 ? v.P : d <= a1 ? v.M : v.Q) *= s[d];
  return v;
}

using Accum = std::shared_ptr<std::vector<double>>;
Accum accum(int64_t n) { return std::make_shared<std::vector<double>>(static_cast<size_t>(n > 0 ? n : 0)); }

template <typename T>
T rsqrt_eps(T var, T eps) {
  return T(1) / std::sqrt(var + eps);
}

int n_params(const Attrs& a) { return static_cast<int>(a.i("scale", 1) != 0) + static_cast<int>(a.i("center", 1) != 0); }

void check_param(const ShapeCtx& c, size_t i, const Shape& want, DType dt, const char* what) {
  PKC_CHECK(c.in[i].dtype == dt, Type, c.node, ": ", what, " dtype ", dtype_name(c.in[i].dtype), " differs from the input's ",
            dtype_name(dt));
  PKC_CHECK(c.in[i].shape == want, Value, c.node, ": ", what, " has shape ", shape_str(c.in[i].shape), ", expected ",
            shape_str(want));
}

// Checks gamma/beta at inputs first, first+1 (as present per attrs) against `want`.
void check_gamma_beta(const ShapeCtx& c, size_t first, const Shape& want, DType dt) {
  size_t i = first;
  if (c.attrs.i("scale", 1)) check_param(c, i++, want, dt, "gamma");
  if (c.attrs.i("center", 1)) check_param(c, i++, want, dt, "beta");
}

// ================================================================ layer_normalization
// The sorted, normalized axes of attr "axes" (default: last), which must be contiguous.
std::pair<int, int> ln_axes(const Attrs& attrs, const Shape& x, const std::string& node) {
  std::vector<int64_t> axes = attrs.has("axes") ? attrs.ints("axes") : std::vector<int64_t>{-1};
  PKC_CHECK(!axes.empty(), Value, node, ": layer normalization needs at least one axis");
  std::vector<int> ax;
  for (int64_t a : axes) ax.push_back(normalize_axis(a, x.size(), node.c_str()));
  std::sort(ax.begin(), ax.end());
  for (size_t i = 1; i < ax.size(); ++i)
    PKC_CHECK(ax[i] == ax[i - 1] + 1, Value, node, ": layer normalization axes must be distinct and contiguous, got axes over shape ",
              shape_str(x));
  return {ax.front(), ax.back()};
}

// layer_normalization(x[, gamma][, beta]; axes, epsilon, scale, center) -> y
std::vector<TensorInfo> layer_norm_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1 + n_params(c.attrs), 1 + n_params(c.attrs));
  DType dt = check_floating(c, 0);
  const Shape& x = c.in[0].shape;
  auto [a0, a1] = ln_axes(c.attrs, x, c.node);
  Shape want(x.begin() + a0, x.begin() + a1 + 1);
  for (int64_t d : want)
    PKC_CHECK(d >= 0, Value, c.node, ": the normalized axes of ", shape_str(x), " must have known sizes");
  check_gamma_beta(c, 1, want, dt);
  return {c.in[0]};
}

template <typename T>
struct LnView {
  PMQ v;
  T eps;
  const T* gamma;
  const T* beta;
};

// Mean and inverse std of group (p, q) over m (index (p*M + m)*Q + q).
template <typename T>
void group_stats(const T* x, const PMQ& v, int64_t p, int64_t q, T eps, T& mean, T& rstd) {
  const int64_t base = p * v.M * v.Q + q;
  double s = 0;
  for (int64_t m = 0; m < v.M; ++m) s += x[base + m * v.Q];
  mean = v.M ? static_cast<T>(s / static_cast<double>(v.M)) : T(0);
  double ss = 0;
  for (int64_t m = 0; m < v.M; ++m) {
    double d = static_cast<double>(x[base + m * v.Q] - mean);
    ss += d * d;
  }
  T var = v.M ? static_cast<T>(ss / static_cast<double>(v.M)) : T(0);
  rstd = rsqrt_eps(var, eps);
}

template <typename T>
Kernel layer_norm_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  auto [a0, a1] = ln_axes(a.attrs, a.in[0].shape, a.node);
  const PMQ v = split3(a.in[0].shape, a0, a1);
  const T eps = static_cast<T>(a.attrs.f("epsilon", 1e-3));
  size_t i = 1;
  const T* gamma = a.attrs.i("scale", 1) ? a.in[i++].ptr<T>() : nullptr;
  const T* beta = a.attrs.i("center", 1) ? a.in[i++].ptr<T>() : nullptr;
  return [=] {
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t q = 0; q < v.Q; ++q) {
        T mean, rstd;
        group_stats(x, v, p, q, eps, mean, rstd);
        const int64_t base = p * v.M * v.Q + q;
        // Keras: inv = rstd * gamma; y = x * inv + (beta - mean * inv)
        for (int64_t m = 0; m < v.M; ++m) {
          T inv = gamma ? rstd * gamma[m] : rstd;
          T res = -mean * inv;
          if (beta) res = res + beta[m];
          y[base + m * v.Q] = x[base + m * v.Q] * inv + res;
        }
      }
  };
}

void layer_norm_grad(GradCtx& g) {
  std::vector<int> in = {g.out_grad(0), g.input(0)};
  bool scale = g.attrs().i("scale", 1) != 0, center = g.attrs().i("center", 1) != 0;
  if (scale) in.push_back(g.input(1));
  const Attrs attrs = g.attrs();  // a copy: emitting may move the node that owns g.attrs()
  auto outs = g.emit("layer_normalization_grad", in, attrs);
  g.set_grad(0, outs[0]);
  if (scale) g.set_grad(1, outs[1]);
  if (center) g.set_grad(1 + scale, outs[1 + scale]);
}

// layer_normalization_grad(dy, x[, gamma]) -> dx[, dgamma][, dbeta]
std::vector<TensorInfo> layer_norm_grad_infer(const ShapeCtx& c) {
  bool scale = c.attrs.i("scale", 1) != 0, center = c.attrs.i("center", 1) != 0;
  check_num_inputs(c, 2 + scale, 2 + scale);
  const Shape& x = c.in[1].shape;
  auto [a0, a1] = ln_axes(c.attrs, x, c.node);
  TensorInfo p{Shape(x.begin() + a0, x.begin() + a1 + 1), c.in[1].dtype};
  std::vector<TensorInfo> out = {c.in[1]};
  if (scale) out.push_back(p);
  if (center) out.push_back(p);
  return out;
}

// dx = rstd * (g - mean_m(g) - xhat * mean_m(g * xhat)) with g = dy * gamma, per group.
template <typename T>
Kernel layer_norm_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const bool scale = a.attrs.i("scale", 1) != 0, center = a.attrs.i("center", 1) != 0;
  const T* gamma = scale ? a.in[2].ptr<T>() : nullptr;
  T* dx = a.out[0].ptr<T>();
  T* dgamma = scale ? a.out[1].ptr<T>() : nullptr;
  T* dbeta = center ? a.out[1 + scale].ptr<T>() : nullptr;
  auto [a0, a1] = ln_axes(a.attrs, a.in[1].shape, a.node);
  const PMQ v = split3(a.in[1].shape, a0, a1);
  const T eps = static_cast<T>(a.attrs.f("epsilon", 1e-3));
  Accum acc_g = accum(v.M), acc_b = accum(v.M);
  return [=] {
    double* ag = acc_g->data();
    double* ab = acc_b->data();
    std::fill(ag, ag + v.M, 0.0);
    std::fill(ab, ab + v.M, 0.0);
    const double inv_m = v.M ? 1.0 / static_cast<double>(v.M) : 0.0;
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t q = 0; q < v.Q; ++q) {
        T mean, rstd;
        group_stats(x, v, p, q, eps, mean, rstd);
        const int64_t base = p * v.M * v.Q + q;
        double sg = 0, sgx = 0;
        for (int64_t m = 0; m < v.M; ++m) {
          const int64_t k = base + m * v.Q;
          double xhat = static_cast<double>((x[k] - mean) * rstd);
          double gm = static_cast<double>(dy[k]) * (gamma ? static_cast<double>(gamma[m]) : 1.0);
          sg += gm;
          sgx += gm * xhat;
          ag[m] += static_cast<double>(dy[k]) * xhat;
          ab[m] += static_cast<double>(dy[k]);
        }
        sg *= inv_m;
        sgx *= inv_m;
        for (int64_t m = 0; m < v.M; ++m) {
          const int64_t k = base + m * v.Q;
          double xhat = static_cast<double>((x[k] - mean) * rstd);
          double gm = static_cast<double>(dy[k]) * (gamma ? static_cast<double>(gamma[m]) : 1.0);
          dx[k] = static_cast<T>(static_cast<double>(rstd) * (gm - sg - xhat * sgx));
        }
      }
    for (int64_t m = 0; m < v.M; ++m) {
      if (dgamma) dgamma[m] = static_cast<T>(ag[m]);
      if (dbeta) dbeta[m] = static_cast<T>(ab[m]);
    }
  };
}

// ================================================================ batch_norm
// Statistics per channel m over (p, q).
int bn_axis(const Attrs& attrs, const Shape& x, const std::string& node) {
  PKC_CHECK(!x.empty(), Value, node, ": batch normalization needs an input of rank >= 1");
  return normalize_axis(attrs.i("axis", -1), x.size(), node.c_str());
}

Shape bn_param_shape(const ShapeCtx& c, const Shape& x) {
  int ax = bn_axis(c.attrs, x, c.node);
  PKC_CHECK(x[ax] >= 0, Value, c.node, ": the channel axis ", ax, " of ", shape_str(x), " must have a known size");
  return Shape{x[ax]};
}

template <typename T>
void channel_stats(const T* x, const PMQ& v, double* acc, T* mean, T* var) {
  const double n = static_cast<double>(v.P * v.Q);
  std::fill(acc, acc + v.M, 0.0);
  for (int64_t p = 0; p < v.P; ++p)
    for (int64_t m = 0; m < v.M; ++m) {
      const T* r = x + (p * v.M + m) * v.Q;
      for (int64_t q = 0; q < v.Q; ++q) acc[m] += r[q];
    }
  for (int64_t m = 0; m < v.M; ++m) mean[m] = n > 0 ? static_cast<T>(acc[m] / n) : T(0);
  std::fill(acc, acc + v.M, 0.0);
  for (int64_t p = 0; p < v.P; ++p)
    for (int64_t m = 0; m < v.M; ++m) {
      const T* r = x + (p * v.M + m) * v.Q;
      for (int64_t q = 0; q < v.Q; ++q) {
        double d = static_cast<double>(r[q] - mean[m]);
        acc[m] += d * d;
      }
    }
  for (int64_t m = 0; m < v.M; ++m) var[m] = n > 0 ? static_cast<T>(acc[m] / n) : T(0);
}

// y = x * inv + (beta - mean * inv), inv = rsqrt(var + eps) * gamma (Keras's batch_normalization)
template <typename T>
void bn_apply(const T* x, T* y, const PMQ& v, const T* mean, const T* var, const T* gamma, const T* beta, T eps) {
  for (int64_t p = 0; p < v.P; ++p)
    for (int64_t m = 0; m < v.M; ++m) {
      T inv = rsqrt_eps(var[m], eps);
      if (gamma) inv = inv * gamma[m];
      T res = -mean[m] * inv;
      if (beta) res = res + beta[m];
      const int64_t base = (p * v.M + m) * v.Q;
      for (int64_t q = 0; q < v.Q; ++q) y[base + q] = x[base + q] * inv + res;
    }
}

// batch_moments(x; axis) -> mean, biased variance per channel (Keras's ops.moments). Training-
// mode batch normalization is batch_normalization(x, batch_moments(x)), as Keras composes it,
// so the gradient flows through the statistics by the chain rule.
std::vector<TensorInfo> moments_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  DType dt = check_floating(c, 0);
  Shape ps = bn_param_shape(c, c.in[0].shape);
  return {{ps, dt}, {ps, dt}};
}

template <typename T>
Kernel moments_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  int ax = bn_axis(a.attrs, a.in[0].shape, a.node);
  const PMQ v = split3(a.in[0].shape, ax, ax);
  T* mean = a.out[0].ptr<T>();
  T* var = a.out[1].ptr<T>();
  Accum acc = accum(v.M);
  return [=] { channel_stats(x, v, acc->data(), mean, var); };
}

void moments_grad(GradCtx& g) {
  const Attrs attrs = g.attrs();  // a copy: emitting may move the node that owns g.attrs()
  g.set_grad(0, g.emit1("batch_moments_grad", {g.out_grad(0), g.out_grad(1), g.input(0), g.output(0)}, attrs));
}

// batch_moments_grad(dmean, dvar, x, mean) -> dx = dmean/N + dvar * 2 (x - mean)/N, N = P*Q
std::vector<TensorInfo> moments_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 4, 4);
  return {c.in[2]};
}

template <typename T>
Kernel moments_grad_kernel(const KernelArgs& a) {
  const T* dmean = a.in[0].ptr<T>();
  const T* dvar = a.in[1].ptr<T>();
  const T* x = a.in[2].ptr<T>();
  const T* mean = a.in[3].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int ax = bn_axis(a.attrs, a.in[2].shape, a.node);
  const PMQ v = split3(a.in[2].shape, ax, ax);
  const double n = static_cast<double>(v.P * v.Q);
  const double inv_n = n > 0 ? 1.0 / n : 0.0;
  return [=] {
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t m = 0; m < v.M; ++m) {
        const double dm = static_cast<double>(dmean[m]) * inv_n, dv = 2.0 * static_cast<double>(dvar[m]) * inv_n;
        const double mu = static_cast<double>(mean[m]);
        const int64_t base = (p * v.M + m) * v.Q;
        for (int64_t q = 0; q < v.Q; ++q) dx[base + q] = static_cast<T>(dm + dv * (static_cast<double>(x[base + q]) - mu));
      }
  };
}

// batch_normalization(x, mean, var[, gamma][, beta]; axis, epsilon, scale, center) -> y
std::vector<TensorInfo> bn_inference_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3 + n_params(c.attrs), 3 + n_params(c.attrs));
  DType dt = check_floating(c, 0);
  Shape ps = bn_param_shape(c, c.in[0].shape);
  check_param(c, 1, ps, dt, "mean");
  check_param(c, 2, ps, dt, "variance");
  check_gamma_beta(c, 3, ps, dt);
  return {c.in[0]};
}

template <typename T>
Kernel bn_inference_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* mean = a.in[1].ptr<T>();
  const T* var = a.in[2].ptr<T>();
  size_t i = 3;
  const T* gamma = a.attrs.i("scale", 1) ? a.in[i++].ptr<T>() : nullptr;
  const T* beta = a.attrs.i("center", 1) ? a.in[i++].ptr<T>() : nullptr;
  T* y = a.out[0].ptr<T>();
  int ax = bn_axis(a.attrs, a.in[0].shape, a.node);
  const PMQ v = split3(a.in[0].shape, ax, ax);
  const T eps = static_cast<T>(a.attrs.f("epsilon", 1e-3));
  return [=] { bn_apply(x, y, v, mean, var, gamma, beta, eps); };
}

void bn_inference_grad(GradCtx& g) {
  bool scale = g.attrs().i("scale", 1) != 0, center = g.attrs().i("center", 1) != 0;
  std::vector<int> in = {g.out_grad(0), g.input(0), g.input(1), g.input(2)};
  if (scale) in.push_back(g.input(3));
  const Attrs attrs = g.attrs();  // a copy: emitting may move the node that owns g.attrs()
  auto outs = g.emit("batch_normalization_grad", in, attrs);
  for (int k = 0; k < 3 + scale + center; ++k) g.set_grad(k, outs[k]);
}

// batch_normalization_grad(dy, x, mean, var[, gamma]) -> dx, dmean, dvar[, dgamma][, dbeta]
std::vector<TensorInfo> bn_inference_grad_infer(const ShapeCtx& c) {
  bool scale = c.attrs.i("scale", 1) != 0, center = c.attrs.i("center", 1) != 0;
  check_num_inputs(c, 4 + scale, 4 + scale);
  TensorInfo p{bn_param_shape(c, c.in[1].shape), c.in[1].dtype};
  std::vector<TensorInfo> out = {c.in[1], p, p};
  if (scale) out.push_back(p);
  if (center) out.push_back(p);
  return out;
}

template <typename T>
Kernel bn_inference_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const T* mean = a.in[2].ptr<T>();
  const T* var = a.in[3].ptr<T>();
  const bool scale = a.attrs.i("scale", 1) != 0, center = a.attrs.i("center", 1) != 0;
  const T* gamma = scale ? a.in[4].ptr<T>() : nullptr;
  T* dx = a.out[0].ptr<T>();
  T* dmean = a.out[1].ptr<T>();
  T* dvar = a.out[2].ptr<T>();
  T* dgamma = scale ? a.out[3].ptr<T>() : nullptr;
  T* dbeta = center ? a.out[3 + scale].ptr<T>() : nullptr;
  int ax = bn_axis(a.attrs, a.in[1].shape, a.node);
  const PMQ v = split3(a.in[1].shape, ax, ax);
  const T eps = static_cast<T>(a.attrs.f("epsilon", 1e-3));
  Accum s_dy = accum(v.M), s_dyxc = accum(v.M);
  return [=] {
    double* s1 = s_dy->data();
    double* s2 = s_dyxc->data();
    std::fill(s1, s1 + v.M, 0.0);
    std::fill(s2, s2 + v.M, 0.0);
    for (int64_t p = 0; p < v.P; ++p)
      for (int64_t m = 0; m < v.M; ++m) {
        T inv = rsqrt_eps(var[m], eps);
        if (gamma) inv = inv * gamma[m];
        const int64_t base = (p * v.M + m) * v.Q;
        for (int64_t q = 0; q < v.Q; ++q) {
          dx[base + q] = dy[base + q] * inv;
          s1[m] += static_cast<double>(dy[base + q]);
          s2[m] += static_cast<double>(dy[base + q]) * static_cast<double>(x[base + q] - mean[m]);
        }
      }
    for (int64_t m = 0; m < v.M; ++m) {
      const double ve = static_cast<double>(var[m]) + static_cast<double>(eps);
      const double rstd = 1.0 / std::sqrt(ve);
      const double gm = gamma ? static_cast<double>(gamma[m]) : 1.0;
      dmean[m] = static_cast<T>(-s1[m] * gm * rstd);
      dvar[m] = static_cast<T>(-0.5 * s2[m] * gm * rstd / ve);
      if (dgamma) dgamma[m] = static_cast<T>(s2[m] * rstd);
      if (dbeta) dbeta[m] = static_cast<T>(s1[m]);
    }
  };
}

// ================================================================ moving_average_update
// moving_average_update(moving, value; momentum): moving = moving*momentum + value*(1 - momentum),
// in place (Keras's BatchNormalization moving statistics). No outputs.
std::vector<TensorInfo> moving_average_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  common_floating(c, {0, 1});
  PKC_CHECK(c.in[0].shape == c.in[1].shape, Value, c.node, ": moving statistic of shape ", shape_str(c.in[0].shape),
            " cannot be updated from a value of shape ", shape_str(c.in[1].shape));
  return {};
}

template <typename T>
Kernel moving_average_kernel(const KernelArgs& a) {
  T* s = a.in[0].ptr<T>();
  const T* x = a.in[1].ptr<T>();
  const int64_t n = a.in[0].numel();
  const double mom = a.attrs.f("momentum", 0.99);
  const T m = static_cast<T>(mom), om = static_cast<T>(1.0 - mom);
  return [=] {
    for (int64_t i = 0; i < n; ++i) s[i] = s[i] * m + x[i] * om;
  };
}

PKC_REGISTER_OP({.name = "layer_normalization", .infer = layer_norm_infer, .grad = layer_norm_grad, .kernel = {PKC_FLOAT_KERNEL(layer_norm_kernel)}});
PKC_REGISTER_OP({.name = "layer_normalization_grad", .infer = layer_norm_grad_infer, .kernel = {PKC_FLOAT_KERNEL(layer_norm_grad_kernel)}});
PKC_REGISTER_OP({.name = "batch_moments", .infer = moments_infer, .grad = moments_grad, .kernel = {PKC_FLOAT_KERNEL(moments_kernel)}});
PKC_REGISTER_OP({.name = "batch_moments_grad", .infer = moments_grad_infer, .kernel = {PKC_FLOAT_KERNEL(moments_grad_kernel)}});
PKC_REGISTER_OP({.name = "batch_normalization", .infer = bn_inference_infer, .grad = bn_inference_grad, .kernel = {PKC_FLOAT_KERNEL(bn_inference_kernel)}});
PKC_REGISTER_OP({.name = "batch_normalization_grad", .infer = bn_inference_grad_infer, .kernel = {PKC_FLOAT_KERNEL(bn_inference_grad_kernel)}});
PKC_REGISTER_OP({.name = "moving_average_update", .infer = moving_average_infer, .kernel = {PKC_FLOAT_KERNEL(moving_average_kernel)}, .mutates_input = 0});

}  // namespace
}  // namespace pkc
