// Pieces shared by the loss op files (losses*.cpp): Keras's epsilon and clipping bounds, the
// geometry of a reduction over one axis (outer x C x inner), the shape rules of paired
// (y_true, y_pred) losses, stable softplus/sigmoid, and the gradient-rule helper.
// Kernels and shape rules only: no graph or Python knowledge here.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace pkc {
namespace loss {

constexpr double kEpsilon = 1e-7;  // keras.config.epsilon()

// Clip bounds as Keras computes them: the Python float rounded once to the kernel's type.
template <typename T>
inline T eps() { return static_cast<T>(kEpsilon); }
template <typename T>
inline T one_minus_eps() { return static_cast<T>(1.0 - kEpsilon); }

// A tensor viewed as outer x C x inner around `axis`: element (o, c, i) is at (o*C + c)*inner + i
// and the per-sample value (o, i) at o*inner + i.
struct AxisGeom {
  int axis = 0;
  int64_t outer = 0, C = 1, inner = 1;
  int64_t at(int64_t o, int64_t c, int64_t i) const { return (o * C + c) * inner + i; }
};
AxisGeom axis_geom(const Shape& s, int64_t axis, const std::string& node);
Shape drop_axis(const Shape& s, int axis);

// (y_true, y_pred) of one shape and one floating dtype -> values with attr `axis` dropped.
std::vector<TensorInfo> paired_infer(const ShapeCtx& c);
// (dl, y_true, y_pred) -> a gradient shaped and typed like y_pred.
std::vector<TensorInfo> paired_grad_infer(const ShapeCtx& c);

// The incoming gradient `dl` in `like`'s dtype: autodiff seeds a scalar loss with a float32 1,
// so a float64 loss gets a cast here rather than a kernel reading the wrong type.
int grad_in_dtype_of(GradCtx& g, int dl, int like);

// Emits `grad_op`(dl, y_true, y_pred) with the forward attrs plus wrt=0/1 for each input that
// needs a gradient; `skip_pred` leaves y_pred to a fused rule.
void emit_paired_grads(GradCtx& g, const std::string& grad_op, bool skip_pred = false);

// Softmax over the last axis feeds y_pred: the fused rules may differentiate straight to z.
bool fed_by_last_axis_softmax(GradCtx& g, int pred, int loss_axis);

// jnp.logaddexp(x, 0) and jax.nn.sigmoid, in the same forms.
template <typename T>
inline T softplus(T x) { return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x))); }
template <typename T>
inline T sigmoid(T x) { return T(1) / (T(1) + std::exp(-x)); }
template <typename T>
inline T sign(T x) { return x > T(0) ? T(1) : (x < T(0) ? T(-1) : T(0)); }

}  // namespace loss
}  // namespace pkc
