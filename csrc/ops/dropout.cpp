// Dropout with a counter-based mask: element i (row-major index in the noise shape) is kept at
// step t iff philox_uniform(philox_draw(seed, t, i / 4).v[i % 4]) >= rate, and kept values are
// divided by (1 - rate) as Keras does. The mask is a pure function of (seed, t, i), so any
// backend reproduces it; t = the program's step counter plus the optional `step_offset` attr.
// Must not keep state between steps: the gradient is the same op applied to dy.
#include <cstring>
#include <memory>

#include "core/philox.h"
#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

// The noise shape of the attrs resolved against a concrete input shape (-1 takes the input's dim).
Shape noise_shape_for(const Attrs& attrs, const Shape& x) {
  if (!attrs.has("noise_shape")) return x;
  Shape ns = attrs.ints("noise_shape");
  for (size_t d = 0; d < ns.size() && d < x.size(); ++d)
    if (ns[d] < 0) ns[d] = x[d];
  return ns;
}

// ---- dropout(x; rate, seed[, noise_shape][, step_offset]) -> y
std::vector<TensorInfo> dropout_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  check_floating(c, 0);
  double rate = c.attrs.f("rate", 0.0);
  PKC_CHECK(rate >= 0.0 && rate <= 1.0, Value, c.node, ": dropout rate must be in [0, 1], got ", rate);
  PKC_CHECK(c.attrs.has("seed"), Value, c.node, ": dropout needs a `seed` attribute");
  const Shape& x = c.in[0].shape;
  if (c.attrs.has("noise_shape")) {
    Shape ns = c.attrs.ints("noise_shape");
    PKC_CHECK(ns.size() == x.size(), Value, c.node, ": noise_shape ", shape_str(ns), " must have the rank of the input ",
              shape_str(x));
    for (size_t d = 0; d < ns.size(); ++d)
      PKC_CHECK(ns[d] < 0 || ns[d] == 1 || x[d] < 0 || ns[d] == x[d], Value, c.node, ": noise_shape ", shape_str(ns),
                " cannot be broadcast to the input shape ", shape_str(x));
  }
  return {c.in[0]};
}

inline bool kept(uint64_t seed, uint64_t t, int64_t i, float rate) {
  Philox4 r = philox_draw(seed, t, static_cast<uint64_t>(i) >> 2);
  return philox_uniform(r.v[i & 3]) >= rate;
}

template <typename T>
Kernel dropout_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const Shape xs = a.in[0].shape;
  const int64_t n = a.in[0].numel();
  const double rate_d = a.attrs.f("rate", 0.0);
  const float rate = static_cast<float>(rate_d);
  const T keep_prob = static_cast<T>(1.0 - rate_d);  // Keras divides by float(1 - rate)
  const uint64_t seed = static_cast<uint64_t>(a.attrs.i("seed", 0));
  const int64_t offset = a.attrs.i("step_offset", 0);
  const StepState* step = a.step;
  auto t_now = [step, offset] { return static_cast<uint64_t>((step ? step->iteration : 0) + offset); };
  if (rate_d >= 1.0)
    return [=] { std::memset(y, 0, sizeof(T) * n); };
  const Shape ns = noise_shape_for(a.attrs, xs);
  if (ns == xs)
    return [=] {
      const uint64_t t = t_now();
      for (int64_t i = 0; i < n; ++i) y[i] = kept(seed, t, i, rate) ? x[i] / keep_prob : T(0);
    };
  // Broadcast mask: draw one value per noise element into a buffer sized once, here.
  auto mask = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(numel(ns)));
  auto sm = broadcast_strides(ns, xs);
  std::vector<int64_t> sx(xs.size(), 0);
  return [=] {
    const uint64_t t = t_now();
    uint8_t* m = mask->data();
    const int64_t nm = static_cast<int64_t>(mask->size());
    for (int64_t i = 0; i < nm; ++i) m[i] = kept(seed, t, i, rate);
    for_each_broadcast(xs, sm, sx, [&](int64_t o, int64_t j, int64_t) { y[o] = m[j] ? x[o] / keep_prob : T(0); });
  };
}

// dropout is linear in x with the same mask at the same step: dx = dropout(dy).
void dropout_grad(GradCtx& g) {
  const Attrs attrs = g.attrs();  // a copy: emitting may move the node that owns g.attrs()
  g.set_grad(0, g.emit1("dropout", {g.out_grad(0)}, attrs));
}

PKC_REGISTER_OP({.name = "dropout", .infer = dropout_infer, .grad = dropout_grad, .kernel = {PKC_FLOAT_KERNEL(dropout_kernel)}});

}  // namespace
}  // namespace pkc
