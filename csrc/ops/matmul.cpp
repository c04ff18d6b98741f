// batch_matmul(a, b; transpose_a, transpose_b): NumPy matmul for operands of rank >= 2 whose
// leading (batch) dims broadcast; one GEMM per output matrix. The 2-D `matmul` op lives in
// dense.cpp; this file must not redefine it. Gradients are batch_matmuls summed back over
// broadcast batch dims.
#include <cstring>
#include <memory>

#include "ops/blas.h"
#include "ops/dispatch.h"
#include "ops/elementwise.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

std::vector<TensorInfo> batch_matmul_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = common_floating(c, {0, 1});
  const Shape& a = c.in[0].shape;
  const Shape& b = c.in[1].shape;
  PKC_CHECK(a.size() >= 2 && b.size() >= 2, Value, c.node, ": batch_matmul expects operands of rank >= 2, got ",
            shape_str(a), " and ", shape_str(b));
  bool ta = c.attrs.i("transpose_a", 0), tb = c.attrs.i("transpose_b", 0);
  size_t ra = a.size(), rb = b.size();
  int64_t m = ta ? a[ra - 1] : a[ra - 2], ka = ta ? a[ra - 2] : a[ra - 1];
  int64_t kb = tb ? b[rb - 1] : b[rb - 2], n = tb ? b[rb - 2] : b[rb - 1];
  PKC_CHECK(ka < 0 || kb < 0 || ka == kb, Value, c.node, ": matmul inner dimensions differ: ", shape_str(a),
            " @ ", shape_str(b));
  Shape out = broadcast_shapes(batch_of(a), batch_of(b), c.node);
  out.push_back(m);
  out.push_back(n);
  check_max_rank(c, out);
  return {{out, dt}};
}

template <typename T>
Kernel batch_matmul_kernel(const KernelArgs& a) {
  bool ta = a.attrs.i("transpose_a", 0), tb = a.attrs.i("transpose_b", 0);
  const Shape& as = a.in[0].shape;
  const Shape& bs = a.in[1].shape;
  const Shape& cs = a.out[0].shape;
  size_t ra = as.size(), rb = bs.size(), rc = cs.size();
  int M = static_cast<int>(cs[rc - 2]), N = static_cast<int>(cs[rc - 1]);
  int K = static_cast<int>(ta ? as[ra - 2] : as[ra - 1]);
  int lda = static_cast<int>(as[ra - 1]), ldb = static_cast<int>(bs[rb - 1]);
  int64_t a_mat = as[ra - 2] * as[ra - 1], b_mat = bs[rb - 2] * bs[rb - 1], c_mat = int64_t(M) * N;
  // Offsets (in matrices) of a and b for each output matrix, computed once.
  Shape batch = batch_of(cs);
  auto oa = std::make_shared<std::vector<int64_t>>(), ob = std::make_shared<std::vector<int64_t>>();
  for_each_broadcast(batch, broadcast_strides(batch_of(as), batch), broadcast_strides(batch_of(bs), batch),
                     [&](int64_t, int64_t i, int64_t j) {
                       oa->push_back(i);
                       ob->push_back(j);
                     });
  const T* A = a.in[0].ptr<T>();
  const T* B = a.in[1].ptr<T>();
  T* C = a.out[0].ptr<T>();
  int64_t nb = numel(batch);
  return [=] {
    if (K == 0) {
      std::memset(C, 0, sizeof(T) * c_mat * nb);
      return;
    }
    if (c_mat == 0) return;
    for (int64_t k = 0; k < nb; ++k)
      gemm<T>(ta, tb, M, N, K, T(1), A + (*oa)[k] * a_mat, lda, B + (*ob)[k] * b_mat, ldb, T(0), C + k * c_mat, N);
  };
}

void batch_matmul_grad(GradCtx& g) {
  bool ta = g.attrs().i("transpose_a", 0), tb = g.attrs().i("transpose_b", 0);
  int dy = g.out_grad(0), A = g.input(0), B = g.input(1);
  auto mm = [&](int x, int y, bool tx, bool ty) {
    Attrs at;
    at.set("transpose_a", int64_t(tx));
    at.set("transpose_b", int64_t(ty));
    return g.emit1("batch_matmul", {x, y}, at);
  };
  auto back = [&](int v, int in) {
    return g.info(v).shape == g.info(in).shape ? v : g.emit1("sum_to_shape", {v, in});
  };
  // C = op(A) op(B): dA = dC op(B)^T (transposed back when ta), dB likewise; then summed over
  // the batch dims that the operand was broadcast along.
  if (g.needs_grad(0)) g.set_grad(0, back(ta ? mm(B, dy, tb, true) : mm(dy, B, false, !tb), A));
  if (g.needs_grad(1)) g.set_grad(1, back(tb ? mm(dy, A, true, ta) : mm(A, dy, !ta, false), B));
}

PKC_REGISTER_OP({.name = "batch_matmul", .infer = batch_matmul_infer, .grad = batch_matmul_grad, .kernel = {PKC_FLOAT_KERNEL(batch_matmul_kernel)}});

}  // namespace
}  // namespace pkc
