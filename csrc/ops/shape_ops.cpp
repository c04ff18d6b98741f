// Shape ops: reshape (a view: no copy, shares its input's buffer) and cast.
#include <cstring>

#include "core/convert.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

// attr "shape": target dims; one entry may be -1 (inferred). An unknown input size (batch
// not yet known) leaves the inferred dim unknown.
std::vector<TensorInfo> reshape_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  Shape target = c.attrs.ints("shape");
  const Shape& in = c.in[0].shape;
  int infer_at = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      PKC_CHECK(infer_at < 0, Value, c.node, ": can only infer one dimension in reshape to ", shape_str(target));
      infer_at = static_cast<int>(i);
    } else {
      PKC_CHECK(target[i] >= 0, Value, c.node, ": invalid dimension ", target[i], " in reshape");
      known *= target[i];
    }
  }
  if (is_concrete(in)) {
    int64_t n = numel(in);
    if (infer_at >= 0) {
      PKC_CHECK(known > 0 && n % known == 0, Value, c.node, ": cannot reshape an array of shape ", shape_str(in),
                " into shape ", shape_str(target));
      target[infer_at] = n / known;
    } else {
      PKC_CHECK(known == n, Value, c.node, ": cannot reshape an array of shape ", shape_str(in), " (", n,
                " values) into shape ", shape_str(target), " (", known, " values)");
    }
  }
  return {{target, c.in[0].dtype}};
}

Kernel reshape_kernel(const KernelArgs& a) {
  // Output shares the input's memory (alias_input = 0); nothing to do unless planned apart.
  const void* x = a.in[0].data;
  void* y = a.out[0].data;
  size_t bytes = a.in[0].nbytes();
  return [=] {
    if (x != y) std::memcpy(y, x, bytes);
  };
}

void reshape_grad(GradCtx& g) {
  Attrs at;
  Shape s = g.info(g.input(0)).shape;
  // Unknown (batch) dims become -1 to be inferred at run time; at most one may be unknown.
  at.set("shape", s);
  g.set_grad(0, g.emit1("reshape", {g.out_grad(0)}, at));
}

std::vector<TensorInfo> cast_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  return {{c.in[0].shape, dtype_from_name(c.attrs.s("dtype", "float32"))}};
}

Kernel cast_kernel(const KernelArgs& a) {
  const void* x = a.in[0].data;
  void* y = a.out[0].data;
  DType st = a.in[0].dtype, dt = a.out[0].dtype;
  int64_t n = a.in[0].numel();
  return [=] { convert_elements(x, st, y, dt, n); };
}

void cast_grad(GradCtx& g) {
  // Gradients flow only between floating types.
  if (is_floating(g.info(g.input(0)).dtype) && is_floating(g.info(g.output(0)).dtype)) {
    Attrs at;
    at.set("dtype", std::string(dtype_name(g.info(g.input(0)).dtype)));
    g.set_grad(0, g.emit1("cast", {g.out_grad(0)}, at));
  }
}

PKC_REGISTER_OP({.name = "reshape", .infer = reshape_infer, .grad = reshape_grad, .kernel = {reshape_kernel}, .alias_input = 0});
PKC_REGISTER_OP({.name = "cast", .infer = cast_infer, .grad = cast_grad, .kernel = {cast_kernel}});

}  // namespace
}  // namespace pkc
