// Comparisons (equal ... less_equal) and logical ops with NumPy broadcasting and bool
// outputs, plus where(cond, x, y). Comparisons and logical ops have no gradient; where passes
// dy to x or y by the condition. Logical inputs are bool (the Python layer casts others).
#include <type_traits>

#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

enum class Cmp { eq, ne, gt, ge, lt, le, land, lor, lxor };

template <Cmp C, typename T>
inline bool cmp(T a, T b) {
  if constexpr (C == Cmp::eq) return a == b;
  if constexpr (C == Cmp::ne) return a != b;
  if constexpr (C == Cmp::gt) return a > b;
  if constexpr (C == Cmp::ge) return a >= b;
  if constexpr (C == Cmp::lt) return a < b;
  if constexpr (C == Cmp::le) return a <= b;
  if constexpr (C == Cmp::land) return a && b;
  if constexpr (C == Cmp::lor) return a || b;
  return static_cast<bool>(a) != static_cast<bool>(b);
}

constexpr bool is_logical(Cmp c) { return c == Cmp::land || c == Cmp::lor || c == Cmp::lxor; }

template <Cmp C>
std::vector<TensorInfo> compare_infer(const ShapeCtx& c) {
  auto out = broadcast_binary(c);  // also checks equal dtypes
  DType dt = c.in[0].dtype;
  if (is_logical(C))
    PKC_CHECK(dt == DType::bool_, Type, c.node, ": logical ops take bool inputs, got ", dtype_name(dt));
  else
    PKC_CHECK(is_numeric_kernel_dtype(dt), Type, c.node, ": unsupported dtype ", dtype_name(dt));
  check_max_rank(c, out[0].shape);
  return {{out[0].shape, DType::bool_}};
}

template <Cmp C, typename T>
Kernel compare_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  bool* z = a.out[0].ptr<bool>();
  Shape out = a.out[0].shape;
  auto sa = broadcast_strides(a.in[0].shape, out), sb = broadcast_strides(a.in[1].shape, out);
  return [=] {
    for_each_broadcast(out, sa, sb, [&](int64_t o, int64_t i, int64_t j) { z[o] = cmp<C, T>(x[i], y[j]); });
  };
}

template <Cmp C>
Kernel compare_kernel(const KernelArgs& a) {
  return visit_dtype(a.in[0].dtype, a.node, [&](auto tag) { return compare_kernel_t<C, decltype(tag)>(a); });
}

// ---------------------------------------------------------------- logical_not(x)
std::vector<TensorInfo> logical_not_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  PKC_CHECK(c.in[0].dtype == DType::bool_, Type, c.node, ": logical_not takes a bool input, got ",
            dtype_name(c.in[0].dtype));
  return {c.in[0]};
}

Kernel logical_not_kernel(const KernelArgs& a) {
  const bool* x = a.in[0].ptr<bool>();
  bool* y = a.out[0].ptr<bool>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) y[i] = !x[i];
  };
}

// ---------------------------------------------------------------- where(cond, x, y)
std::vector<TensorInfo> where_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 3);
  PKC_CHECK(c.in[0].dtype == DType::bool_, Type, c.node, ": where's condition must be bool, got ",
            dtype_name(c.in[0].dtype));
  PKC_CHECK(c.in[1].dtype == c.in[2].dtype, Type, c.node, ": where's x and y dtypes ",
            dtype_name(c.in[1].dtype), " and ", dtype_name(c.in[2].dtype), " differ");
  PKC_CHECK(is_numeric_kernel_dtype(c.in[1].dtype), Type, c.node, ": unsupported dtype ", dtype_name(c.in[1].dtype));
  Shape s = broadcast_shapes(broadcast_shapes(c.in[0].shape, c.in[1].shape, c.node), c.in[2].shape, c.node);
  check_max_rank(c, s);
  return {{s, c.in[1].dtype}};
}

template <typename T>
Kernel where_kernel_t(const KernelArgs& a) {
  const bool* cnd = a.in[0].ptr<bool>();
  const T* x = a.in[1].ptr<T>();
  const T* y = a.in[2].ptr<T>();
  T* z = a.out[0].ptr<T>();
  Shape out = a.out[0].shape;
  auto sc = broadcast_strides(a.in[0].shape, out), sx = broadcast_strides(a.in[1].shape, out),
       sy = broadcast_strides(a.in[2].shape, out);
  return [=] {
    for_each_broadcast3(out, sc, sx, sy, [&](int64_t o, int64_t i, int64_t j, int64_t k) { z[o] = cnd[i] ? x[j] : y[k]; });
  };
}

Kernel where_kernel(const KernelArgs& a) {
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) { return where_kernel_t<decltype(tag)>(a); });
}

// dx = where(cond, dy, 0), dy_y = where(cond, 0, dy), each summed back to its input's shape.
void where_grad(GradCtx& g) {
  if (!is_floating(g.info(g.output(0)).dtype)) return;
  int dy = g.out_grad(0), cond = g.input(0);
  int zeros = g.emit1("zeros_like", {dy});
  auto back = [&](int v, int k) {
    int in = g.input(k);
    return g.info(in).shape == g.info(v).shape ? v : g.emit1("sum_to_shape", {v, in});
  };
  if (g.needs_grad(1)) g.set_grad(1, back(g.emit1("where", {cond, dy, zeros}), 1));
  if (g.needs_grad(2)) g.set_grad(2, back(g.emit1("where", {cond, zeros, dy}), 2));
}

PKC_REGISTER_OP({.name = "equal", .infer = compare_infer<Cmp::eq>, .kernel = {compare_kernel<Cmp::eq>}});
PKC_REGISTER_OP({.name = "not_equal", .infer = compare_infer<Cmp::ne>, .kernel = {compare_kernel<Cmp::ne>}});
PKC_REGISTER_OP({.name = "greater", .infer = compare_infer<Cmp::gt>, .kernel = {compare_kernel<Cmp::gt>}});
PKC_REGISTER_OP({.name = "greater_equal", .infer = compare_infer<Cmp::ge>, .kernel = {compare_kernel<Cmp::ge>}});
PKC_REGISTER_OP({.name = "less", .infer = compare_infer<Cmp::lt>, .kernel = {compare_kernel<Cmp::lt>}});
PKC_REGISTER_OP({.name = "less_equal", .infer = compare_infer<Cmp::le>, .kernel = {compare_kernel<Cmp::le>}});
PKC_REGISTER_OP({.name = "logical_and", .infer = compare_infer<Cmp::land>, .kernel = {compare_kernel<Cmp::land>}});
PKC_REGISTER_OP({.name = "logical_or", .infer = compare_infer<Cmp::lor>, .kernel = {compare_kernel<Cmp::lor>}});
PKC_REGISTER_OP({.name = "logical_xor", .infer = compare_infer<Cmp::lxor>, .kernel = {compare_kernel<Cmp::lxor>}});
PKC_REGISTER_OP({.name = "logical_not", .infer = logical_not_infer, .kernel = {logical_not_kernel}});
PKC_REGISTER_OP({.name = "where", .infer = where_infer, .grad = where_grad, .kernel = {where_kernel}});

}  // namespace
}  // namespace pkc
