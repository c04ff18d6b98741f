// Shape ops: reshape (a view: no copy, shares its input's buffer), cast, concatenate (+ the
// slice its gradient needs), transpose and one_hot. Kernels here move bytes only (any dtype);
// they never do arithmetic on values.
#include <cstring>

#include "core/convert.h"
#include "ops/elementwise.h"
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

// ---------------------------------------------------------------- concatenate(x0, ..., xn) along attr axis
std::vector<TensorInfo> concatenate_infer(const ShapeCtx& c) {
  PKC_CHECK(!c.in.empty(), Value, c.node, ": concatenate needs at least one input");
  const Shape& first = c.in[0].shape;
  PKC_CHECK(!first.empty(), Value, c.node, ": cannot concatenate scalars (rank 0)");
  int axis = normalize_axis(c.attrs.i("axis", 0), first.size(), c.node.c_str());
  Shape out = first;
  for (size_t k = 1; k < c.in.size(); ++k) {
    const Shape& s = c.in[k].shape;
    PKC_CHECK(c.in[k].dtype == c.in[0].dtype, Type, c.node, ": input ", k, " has dtype ",
              dtype_name(c.in[k].dtype), " but input 0 has ", dtype_name(c.in[0].dtype));
    PKC_CHECK(s.size() == first.size(), Value, c.node, ": all inputs must have the same rank; got shapes ",
              shape_str(first), " and ", shape_str(s));
    for (size_t d = 0; d < s.size(); ++d) {
      if (static_cast<int>(d) == axis) {
        out[d] = out[d] < 0 || s[d] < 0 ? -1 : out[d] + s[d];
      } else if (out[d] < 0) {
        out[d] = s[d];
      } else {
        PKC_CHECK(s[d] < 0 || s[d] == out[d], Value, c.node, ": shapes ", shape_str(first), " and ",
                  shape_str(s), " differ outside the concatenation axis ", axis);
      }
    }
  }
  return {{out, c.in[0].dtype}};
}

// Byte extent of one "row" of each input: everything from the axis inwards.
Kernel concatenate_kernel(const KernelArgs& a) {
  const Shape& out = a.out[0].shape;
  int axis = normalize_axis(a.attrs.i("axis", 0), out.size(), a.node.c_str());
  size_t es = dtype_size(a.out[0].dtype);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= out[d];
  for (size_t d = axis + 1; d < out.size(); ++d) inner *= out[d];
  std::vector<const char*> src;
  std::vector<size_t> row;
  for (const Tensor& t : a.in) {
    src.push_back(static_cast<const char*>(t.data));
    row.push_back(static_cast<size_t>(t.shape[axis] * inner) * es);
  }
  char* y = static_cast<char*>(a.out[0].data);
  return [=] {
    char* p = y;
    for (int64_t o = 0; o < outer; ++o)
      for (size_t k = 0; k < src.size(); ++k) {
        if (row[k]) std::memcpy(p, src[k] + o * row[k], row[k]);
        p += row[k];
      }
  };
}

void concatenate_grad(GradCtx& g) {
  std::vector<int> ins = {g.out_grad(0)};
  for (int k = 0; k < g.num_inputs(); ++k) ins.push_back(g.input(k));
  for (int k = 0; k < g.num_inputs(); ++k) {
    if (!g.needs_grad(k)) continue;
    Attrs at;
    at.set("axis", g.attrs().i("axis", 0));
    at.set("index", int64_t(k));
    g.set_grad(k, g.emit1("concatenate_slice", ins, at));
  }
}

// concatenate_slice(dy, x0, ..., xn; axis, index): the part of dy that came from x_index. The
// x's are read for their (run-time) shapes only, so batch-sized axes work.
std::vector<TensorInfo> concatenate_slice_infer(const ShapeCtx& c) {
  PKC_CHECK(c.in.size() >= 2, Value, c.node, ": concatenate_slice needs dy and the concatenated inputs");
  int64_t k = c.attrs.i("index", 0);
  PKC_CHECK(k >= 0 && k + 1 < static_cast<int64_t>(c.in.size()), Value, c.node, ": index ", k, " out of range");
  return {{c.in[k + 1].shape, c.in[0].dtype}};
}

Kernel concatenate_slice_kernel(const KernelArgs& a) {
  const Shape& dys = a.in[0].shape;
  int axis = normalize_axis(a.attrs.i("axis", 0), dys.size(), a.node.c_str());
  int64_t k = a.attrs.i("index", 0);
  size_t es = dtype_size(a.in[0].dtype);
  int64_t outer = 1, inner = 1, before = 0;
  for (int d = 0; d < axis; ++d) outer *= dys[d];
  for (size_t d = axis + 1; d < dys.size(); ++d) inner *= dys[d];
  for (int64_t j = 0; j < k; ++j) before += a.in[j + 1].shape[axis];
  size_t dy_row = static_cast<size_t>(dys[axis] * inner) * es;
  size_t row = static_cast<size_t>(a.out[0].shape[axis] * inner) * es;
  size_t off = static_cast<size_t>(before * inner) * es;
  const char* dy = static_cast<const char*>(a.in[0].data);
  char* y = static_cast<char*>(a.out[0].data);
  return [=] {
    if (row == 0) return;
    for (int64_t o = 0; o < outer; ++o) std::memcpy(y + o * row, dy + o * dy_row + off, row);
  };
}

// ---------------------------------------------------------------- transpose(x; axes)
std::vector<int> transpose_perm(const Attrs& attrs, size_t rank, const std::string& node) {
  std::vector<int> perm;
  if (!attrs.has("axes")) {
    for (size_t d = 0; d < rank; ++d) perm.push_back(static_cast<int>(rank - 1 - d));
    return perm;
  }
  std::vector<int64_t> axes = attrs.ints("axes");
  PKC_CHECK(axes.size() == rank, Value, node, ": axes ", shape_str(axes), " do not match rank ", rank);
  std::vector<char> seen(rank, 0);
  for (int64_t a : axes) {
    int ax = normalize_axis(a, rank, node.c_str());
    PKC_CHECK(!seen[ax], Value, node, ": repeated axis in transpose axes ", shape_str(axes));
    seen[ax] = 1;
    perm.push_back(ax);
  }
  return perm;
}

std::vector<TensorInfo> transpose_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  check_max_rank(c, c.in[0].shape);
  auto perm = transpose_perm(c.attrs, c.in[0].shape.size(), c.node);
  Shape out;
  for (int p : perm) out.push_back(c.in[0].shape[p]);
  return {{out, c.in[0].dtype}};
}

template <typename E>
Kernel transpose_kernel_t(const KernelArgs& a) {
  const Shape& out = a.out[0].shape;
  auto perm = transpose_perm(a.attrs, out.size(), a.node);
  // Input strides reordered to the output's index space; then a plain strided walk.
  const Shape& in = a.in[0].shape;
  std::vector<int64_t> in_stride(in.size(), 1), s(out.size(), 0), zero(out.size(), 0);
  for (int d = static_cast<int>(in.size()) - 2; d >= 0; --d) in_stride[d] = in_stride[d + 1] * in[d + 1];
  for (size_t d = 0; d < out.size(); ++d) s[d] = in_stride[perm[d]];
  const E* x = static_cast<const E*>(a.in[0].data);
  E* y = static_cast<E*>(a.out[0].data);
  return [=] { for_each_broadcast(out, s, zero, [&](int64_t o, int64_t i, int64_t) { y[o] = x[i]; }); };
}

Kernel transpose_kernel(const KernelArgs& a) {
  switch (dtype_size(a.in[0].dtype)) {
    case 1: return transpose_kernel_t<uint8_t>(a);
    case 2: return transpose_kernel_t<uint16_t>(a);
    case 4: return transpose_kernel_t<uint32_t>(a);
    default: return transpose_kernel_t<uint64_t>(a);
  }
}

void transpose_grad(GradCtx& g) {
  auto perm = transpose_perm(g.attrs(), g.info(g.input(0)).shape.size(), "transpose");
  std::vector<int64_t> inv(perm.size());
  for (size_t d = 0; d < perm.size(); ++d) inv[perm[d]] = static_cast<int64_t>(d);
  Attrs at;
  at.set("axes", inv);
  g.set_grad(0, g.emit1("transpose", {g.out_grad(0)}, at));
}

// ---------------------------------------------------------------- one_hot(indices; num_classes, axis, dtype)
// Out-of-range (and negative) indices give an all-zero row, as jax.nn.one_hot does.
std::vector<TensorInfo> one_hot_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  DType it = c.in[0].dtype;
  PKC_CHECK(it == DType::int32 || it == DType::int64 || it == DType::uint8 || it == DType::int8, Type, c.node,
            ": one_hot indices must be integers, got ", dtype_name(it));
  int64_t n = c.attrs.i("num_classes", -1);
  PKC_CHECK(n >= 0, Value, c.node, ": one_hot needs num_classes >= 0, got ", n);
  Shape out = c.in[0].shape;
  int axis = normalize_axis(c.attrs.i("axis", -1), out.size() + 1, c.node.c_str());
  out.insert(out.begin() + axis, n);
  DType dt = dtype_from_name(c.attrs.s("dtype", "float32"));
  PKC_CHECK(is_numeric_kernel_dtype(dt), Type, c.node, ": unsupported one_hot dtype ", dtype_name(dt));
  return {{out, dt}};
}

template <typename I>
Kernel one_hot_kernel_t(const KernelArgs& a) {
  const I* idx = a.in[0].ptr<I>();
  const Shape& out = a.out[0].shape;
  int axis = normalize_axis(a.attrs.i("axis", -1), out.size(), a.node.c_str());
  int64_t n = out[axis], outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= out[d];
  for (size_t d = axis + 1; d < out.size(); ++d) inner *= out[d];
  return visit_dtype(a.out[0].dtype, a.node, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    T* y = a.out[0].ptr<T>();
    size_t bytes = a.out[0].nbytes();
    return [=] {
      std::memset(y, 0, bytes);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t j = 0; j < inner; ++j) {
          int64_t v = static_cast<int64_t>(idx[o * inner + j]);
          if (v >= 0 && v < n) y[(o * n + v) * inner + j] = T(1);
        }
    };
  });
}

Kernel one_hot_kernel(const KernelArgs& a) {
  switch (a.in[0].dtype) {
    case DType::int32: return one_hot_kernel_t<int32_t>(a);
    case DType::int64: return one_hot_kernel_t<int64_t>(a);
    case DType::int8: return one_hot_kernel_t<int8_t>(a);
    default: return one_hot_kernel_t<uint8_t>(a);
  }
}

PKC_REGISTER_OP({.name = "concatenate", .infer = concatenate_infer, .grad = concatenate_grad, .kernel = {concatenate_kernel}});
PKC_REGISTER_OP({.name = "concatenate_slice", .infer = concatenate_slice_infer, .kernel = {concatenate_slice_kernel}});
PKC_REGISTER_OP({.name = "transpose", .infer = transpose_infer, .grad = transpose_grad, .kernel = {transpose_kernel}});
PKC_REGISTER_OP({.name = "one_hot", .infer = one_hot_infer, .kernel = {one_hot_kernel}});
PKC_REGISTER_OP({.name = "reshape", .infer = reshape_infer, .grad = reshape_grad, .kernel = {reshape_kernel}, .alias_input = 0});
PKC_REGISTER_OP({.name = "cast", .infer = cast_infer, .grad = cast_grad, .kernel = {cast_kernel}});

}  // namespace
}  // namespace pkc
