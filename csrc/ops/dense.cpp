// Dense and matmul: y = act(x @ W + b) as one GEMM plus one fused epilogue pass; backward as
// dz (activation gradient fused with the bias column sums), dW = x^T dz and, only when an
// earlier layer needs it, dx = dz W^T. x may have any rank >= 2; leading dims are flattened.
#include <cstring>

#include "ops/activations.h"
#include "ops/blas.h"
#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {


// ---------------------------------------------------------------- dense(x, W[, b])
std::vector<TensorInfo> dense_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 3);
  DType dt = c.in.size() == 3 ? common_floating(c, {0, 1, 2}) : common_floating(c, {0, 1});
  const Shape& x = c.in[0].shape;
  const Shape& w = c.in[1].shape;
  PKC_CHECK(x.size() >= 1, Value, c.node, ": input must have rank >= 1, got shape ", shape_str(x));
  PKC_CHECK(w.size() == 2, Value, c.node, ": kernel must be 2-D, got shape ", shape_str(w));
  PKC_CHECK(x.back() < 0 || x.back() == w[0], Value, c.node, ": input has ", x.back(),
            " features (shape ", shape_str(x), ") but the kernel expects ", w[0], " (kernel shape ",
            shape_str(w), ")");
  if (c.in.size() == 3)
    PKC_CHECK(c.in[2].shape == Shape{w[1]}, Value, c.node, ": bias shape ", shape_str(c.in[2].shape),
              " does not match kernel shape ", shape_str(w));
  act_from_name(c.attrs.s("activation", "linear"), c.node);
  Shape y = x;
  y.back() = w[1];
  return {{y, dt}};
}

// y[r, :] = act(y[r, :] + b) with the activation fixed at compile time, so the loop is branch-free
// and vectorises (a runtime switch per element cost as much as the GEMM on small layers).
template <Act A, typename T>
void bias_act_epilogue(T* __restrict y, const T* __restrict b, int M, int N) {
  for (int r = 0; r < M; ++r) {
    T* __restrict yr = y + static_cast<int64_t>(r) * N;
    if (b)
      for (int j = 0; j < N; ++j) yr[j] = act_forward<T>(A, yr[j] + b[j]);
    else
      for (int j = 0; j < N; ++j) yr[j] = act_forward<T>(A, yr[j]);
  }
}

template <typename T>
using EpilogueFn = void (*)(T*, const T*, int, int);

// One instantiation per fusable activation (the Act enum in activations.h).
#define PKC_FOR_EACH_ACT(X) X(linear) X(relu) X(sigmoid) X(tanh) X(relu6) X(hard_sigmoid) X(exponential)

template <typename T>
EpilogueFn<T> epilogue_for(Act act) {
  switch (act) {
#define PKC_EPILOGUE_CASE(a) \
  case Act::a: return bias_act_epilogue<Act::a, T>;
    PKC_FOR_EACH_ACT(PKC_EPILOGUE_CASE)
#undef PKC_EPILOGUE_CASE
  }
  return bias_act_epilogue<Act::linear, T>;
}

template <typename T>
Kernel dense_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* w = a.in[1].ptr<T>();
  const T* b = a.in.size() == 3 ? a.in[2].ptr<T>() : nullptr;
  T* y = a.out[0].ptr<T>();
  int K = static_cast<int>(a.in[1].dim(0)), N = static_cast<int>(a.in[1].dim(1));
  int M = K ? static_cast<int>(a.in[0].numel() / K) : static_cast<int>(a.out[0].numel() / (N ? N : 1));
  Act act = act_from_name(a.attrs.s("activation", "linear"), a.node);
  EpilogueFn<T> epilogue = (b || act != Act::linear) ? epilogue_for<T>(act) : nullptr;
  return [=] {
    if (K == 0)
      std::memset(y, 0, sizeof(T) * M * N);
    else
      gemm<T>(false, false, M, N, K, T(1), x, K, w, N, T(0), y, N);
    if (epilogue) epilogue(y, b, M, N);
  };
}

void dense_grad_rule(GradCtx& g) {
  int dy = g.out_grad(0);
  bool has_bias = g.num_inputs() == 3;
  std::string act = g.attrs().s("activation", "linear");
  int dz = dy;
  if (act != "linear") {
    Attrs at;
    // (dense_act_grad fuses the activation gradient with the bias sums; both paths give the same numbers)
    at.set("activation", act);
    if (has_bias && g.needs_grad(2)) {
      auto outs = g.emit("dense_act_grad", {dy, g.output(0)}, at);
      dz = outs[0];
      g.set_grad(2, outs[1]);
    } else {
      dz = g.emit1(act + "_grad", {dy, g.output(0)});
    }
  } else if (has_bias && g.needs_grad(2)) {
    g.set_grad(2, g.emit1("bias_grad", {dz}));
  }
  if (g.needs_grad(1)) g.set_grad(1, g.emit1("dense_weight_grad", {g.input(0), dz}));
  if (g.needs_grad(0)) g.set_grad(0, g.emit1("dense_input_grad", {dz, g.input(1)}));
}

// ---------------------------------------------------------------- dense_act_grad(dy, y) -> dz, db
std::vector<TensorInfo> dense_act_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  return {c.in[0], {Shape{c.in[0].shape.back()}, c.in[0].dtype}};
}

// dz = act'(y) * dy and db = column sums of dz, one pass, activation fixed at compile time.
template <Act A, typename T>
void act_grad_colsum(const T* __restrict dy, const T* __restrict y, T* __restrict dz, T* __restrict db, int64_t M,
                     int64_t N) {
  std::memset(db, 0, sizeof(T) * N);
  for (int64_t r = 0; r < M; ++r) {
    const T* __restrict dyr = dy + r * N;
    const T* __restrict yr = y + r * N;
    T* __restrict dzr = dz + r * N;
    for (int64_t j = 0; j < N; ++j) {
      T v = act_backward<T>(A, dyr[j], yr[j]);
      dzr[j] = v;
      db[j] += v;
    }
  }
}

template <typename T>
Kernel dense_act_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dz = a.out[0].ptr<T>();
  T* db = a.out[1].ptr<T>();
  int64_t N = a.in[0].shape.back();
  int64_t M = N ? a.in[0].numel() / N : 0;
  Act act = act_from_name(a.attrs.s("activation", "linear"), a.node);
  using Fn = void (*)(const T*, const T*, T*, T*, int64_t, int64_t);
  Fn fn = act_grad_colsum<Act::linear, T>;
  switch (act) {
#define PKC_GRAD_CASE(a) \
  case Act::a: fn = act_grad_colsum<Act::a, T>; break;
    PKC_FOR_EACH_ACT(PKC_GRAD_CASE)
#undef PKC_GRAD_CASE
  }
  return [=] { fn(dy, y, dz, db, M, N); };
}

// ---------------------------------------------------------------- bias_grad(dz) -> column sums
std::vector<TensorInfo> bias_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  return {{Shape{c.in[0].shape.back()}, c.in[0].dtype}};
}

template <typename T>
Kernel bias_grad_kernel(const KernelArgs& a) {
  const T* dz = a.in[0].ptr<T>();
  T* db = a.out[0].ptr<T>();
  int64_t N = a.in[0].shape.back();
  int64_t M = N ? a.in[0].numel() / N : 0;
  return [=] {
    std::memset(db, 0, sizeof(T) * N);
    for (int64_t r = 0; r < M; ++r)
      for (int64_t j = 0; j < N; ++j) db[j] += dz[r * N + j];
  };
}

// ---------------------------------------------------------------- dense_weight_grad(x, dz) -> x^T dz
std::vector<TensorInfo> weight_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  return {{Shape{c.in[0].shape.back(), c.in[1].shape.back()}, c.in[0].dtype}};
}

template <typename T>
Kernel weight_grad_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* dz = a.in[1].ptr<T>();
  T* dw = a.out[0].ptr<T>();
  int K = static_cast<int>(a.in[0].shape.back()), N = static_cast<int>(a.in[1].shape.back());
  int M = N ? static_cast<int>(a.in[1].numel() / N) : 0;
  // "accumulate": dw is a gradient slot the optimizer zeroes after each update, so the GEMM can
  // add into it (beta = 1) and skip the BLAS's separate zeroing pass over C. Vector-shaped
  // products keep beta = 0: their GEMV / outer-product paths overwrite and are cheaper still.
  const bool accumulate = a.attrs.i("accumulate", 0) != 0 && K > 1 && N > 1 && M > 1;
  return [=] {
    if (M == 0) {
      std::memset(dw, 0, sizeof(T) * K * N);
      return;
    }
    gemm<T>(true, false, K, N, M, T(1), x, K, dz, N, accumulate ? T(1) : T(0), dw, N);
  };
}

// ---------------------------------------------------------------- dense_input_grad(dz, W) -> dz W^T
std::vector<TensorInfo> input_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  Shape s = c.in[0].shape;
  s.back() = c.in[1].shape[0];
  return {{s, c.in[0].dtype}};
}

template <typename T>
Kernel input_grad_kernel(const KernelArgs& a) {
  const T* dz = a.in[0].ptr<T>();
  const T* w = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int K = static_cast<int>(a.in[1].dim(0)), N = static_cast<int>(a.in[1].dim(1));
  int M = N ? static_cast<int>(a.in[0].numel() / N) : 0;
  return [=] {
    if (N == 0) {
      std::memset(dx, 0, sizeof(T) * M * K);
      return;
    }
    gemm<T>(false, true, M, K, N, T(1), dz, N, w, N, T(0), dx, K);
  };
}

// ---------------------------------------------------------------- matmul(a, b) 2-D with transposes
std::vector<TensorInfo> matmul_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = common_floating(c, {0, 1});
  const Shape& a = c.in[0].shape;
  const Shape& b = c.in[1].shape;
  PKC_CHECK(a.size() == 2 && b.size() == 2, Value, c.node, ": matmul expects 2-D operands, got ",
            shape_str(a), " and ", shape_str(b));
  bool ta = c.attrs.i("transpose_a", 0), tb = c.attrs.i("transpose_b", 0);
  int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
  int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  PKC_CHECK(ka < 0 || kb < 0 || ka == kb, Value, c.node, ": matmul inner dimensions differ: ",
            shape_str(a), " @ ", shape_str(b));
  return {{Shape{m, n}, dt}};
}

template <typename T>
Kernel matmul_kernel(const KernelArgs& a) {
  bool ta = a.attrs.i("transpose_a", 0), tb = a.attrs.i("transpose_b", 0);
  const T* A = a.in[0].ptr<T>();
  const T* B = a.in[1].ptr<T>();
  T* C = a.out[0].ptr<T>();
  int M = static_cast<int>(a.out[0].dim(0)), N = static_cast<int>(a.out[0].dim(1));
  int K = static_cast<int>(ta ? a.in[0].dim(0) : a.in[0].dim(1));
  int lda = static_cast<int>(a.in[0].dim(1)), ldb = static_cast<int>(a.in[1].dim(1));
  return [=] {
    if (K == 0) {
      std::memset(C, 0, sizeof(T) * M * N);
      return;
    }
    gemm<T>(ta, tb, M, N, K, T(1), A, lda, B, ldb, T(0), C, N);
  };
}

void matmul_grad_rule(GradCtx& g) {
  bool ta = g.attrs().i("transpose_a", 0), tb = g.attrs().i("transpose_b", 0);
  int dy = g.out_grad(0), A = g.input(0), B = g.input(1);
  auto mm = [&](int x, int y, bool tx, bool ty) {
    Attrs at;
    at.set("transpose_a", int64_t(tx));
    at.set("transpose_b", int64_t(ty));
    return g.emit1("matmul", {x, y}, at);
  };
  // C = op(A) op(B): dA = dC op(B)^T (transposed back when ta), dB likewise.
  if (g.needs_grad(0)) g.set_grad(0, ta ? mm(B, dy, tb, true) : mm(dy, B, false, !tb));
  if (g.needs_grad(1)) g.set_grad(1, tb ? mm(dy, A, true, ta) : mm(A, dy, !ta, false));
}

PKC_REGISTER_OP({.name = "dense", .infer = dense_infer, .grad = dense_grad_rule, .kernel = {PKC_FLOAT_KERNEL(dense_kernel)}});
PKC_REGISTER_OP({.name = "dense_act_grad", .infer = dense_act_grad_infer, .kernel = {PKC_FLOAT_KERNEL(dense_act_grad_kernel)}});
PKC_REGISTER_OP({.name = "bias_grad", .infer = bias_grad_infer, .kernel = {PKC_FLOAT_KERNEL(bias_grad_kernel)}});
PKC_REGISTER_OP({.name = "dense_weight_grad", .infer = weight_grad_infer, .kernel = {PKC_FLOAT_KERNEL(weight_grad_kernel)}});
PKC_REGISTER_OP({.name = "dense_input_grad", .infer = input_grad_infer, .kernel = {PKC_FLOAT_KERNEL(input_grad_kernel)}});
PKC_REGISTER_OP({.name = "matmul", .infer = matmul_infer, .grad = matmul_grad_rule, .kernel = {PKC_FLOAT_KERNEL(matmul_kernel)}});

}  // namespace
}  // namespace pkc
