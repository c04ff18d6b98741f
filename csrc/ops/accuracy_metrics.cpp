// Accuracy metric values: per-sample (or element-wise) 0/1 matches that a Mean accumulator
// averages. The three unprefixed ops are the original float32 ones the trainer's "accuracy"
// resolution uses; metric_* ops follow Keras's accuracy functions exactly (element-wise
// binary/plain accuracy, in_top_k semantics with ties counted in the target's favour).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/metric_common.h"

namespace pkc {
namespace {

Shape drop_last(const Shape& s) { return s.empty() ? s : Shape(s.begin(), s.end() - 1); }

template <typename T>
float as_float(const void* p, int64_t i) {
  return static_cast<float>(static_cast<const T*>(p)[i]);
}
using ReadFn = float (*)(const void*, int64_t);
ReadFn reader(DType dt, const std::string& node) {
  switch (dt) {
    case DType::float32: return as_float<float>;
    case DType::float64: return as_float<double>;
    case DType::int32: return as_float<int32_t>;
    case DType::int64: return as_float<int64_t>;
    case DType::uint8: return as_float<uint8_t>;
    default: PKC_THROW(Type, node, ": unsupported dtype ", dtype_name(dt));
  }
}

inline int64_t argmax_row(const float* p, int64_t C) {
  int64_t best = 0;
  for (int64_t j = 1; j < C; ++j)
    if (p[j] > p[best]) best = j;
  return best;
}

// ---- sparse_categorical_accuracy(y_true[...], y_pred[..., C]) -> [...]
std::vector<TensorInfo> sparse_acc_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  PKC_CHECK(!c.in[1].shape.empty(), Value, c.node, ": y_pred needs a class axis");
  return {{drop_last(c.in[1].shape), DType::float32}};
}

Kernel sparse_acc_kernel(const KernelArgs& a) {
  const void* t = a.in[0].data;
  ReadFn rd = reader(a.in[0].dtype, a.node);
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t C = a.in[1].shape.back();
  int64_t rows = C ? a.in[1].numel() / C : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r)
      out[r] = rd(t, r) == static_cast<float>(argmax_row(p + r * C, C)) ? 1.f : 0.f;
  };
}

// ---- categorical_accuracy(y_true[..., C], y_pred[..., C]) -> [...]
Kernel cat_acc_kernel(const KernelArgs& a) {
  const float* t = a.in[0].ptr<float>();
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t C = a.in[1].shape.back();
  int64_t rows = C ? a.in[1].numel() / C : 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r)
      out[r] = argmax_row(t + r * C, C) == argmax_row(p + r * C, C) ? 1.f : 0.f;
  };
}

// ---- binary_accuracy(y_true, y_pred; threshold) -> mean over last axis of (y_true == (y_pred > t))
Kernel bin_acc_kernel(const KernelArgs& a) {
  const float* t = a.in[0].ptr<float>();
  const float* p = a.in[1].ptr<float>();
  float* out = a.out[0].ptr<float>();
  int64_t D = a.in[1].shape.empty() ? 1 : a.in[1].shape.back();
  int64_t rows = D ? a.in[1].numel() / D : 0;
  float thr = static_cast<float>(a.attrs.f("threshold", 0.5));
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      float s = 0.f;
      for (int64_t j = 0; j < D; ++j) s += t[r * D + j] == (p[r * D + j] > thr ? 1.f : 0.f) ? 1.f : 0.f;
      out[r] = s / static_cast<float>(D);
    }
  };
}

std::vector<TensorInfo> same_shape_metric_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  PKC_CHECK(c.in[0].dtype == DType::float32 && c.in[1].dtype == DType::float32, Type, c.node,
            ": y_true and y_pred must be float32");
  PKC_CHECK(c.in[0].shape.size() == c.in[1].shape.size(), Value, c.node, ": y_true shape ",
            shape_str(c.in[0].shape), " does not match y_pred shape ", shape_str(c.in[1].shape));
  return {{drop_last(c.in[1].shape), DType::float32}};
}

// ---- metric_accuracy(y_true, y_pred) -> element-wise y_true == y_pred
// ---- metric_binary_accuracy(y_true, y_pred; threshold) -> element-wise y_true == (y_pred > threshold)
template <typename T>
Kernel equal_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const int64_t n = a.in[1].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) out[i] = t[i] == p[i] ? T(1) : T(0);
  };
}

template <typename T>
Kernel binary_equal_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const int64_t n = a.in[1].numel();
  const T thr = static_cast<T>(a.attrs.f("threshold", 0.5));
  return [=] {
    for (int64_t i = 0; i < n; ++i) out[i] = t[i] == (p[i] > thr ? T(1) : T(0)) ? T(1) : T(0);
  };
}

// ---- metric_top_k_accuracy(y_true, y_pred[..., C]; k, sparse, from_sorted_ids)
// sparse: y_true holds one class id per row of y_pred (any shape with that many elements);
// the output has y_true's shape. Otherwise y_true is one-hot [..., C] and its argmax is the
// target; the output drops the class axis. Match: 1 + #(y_pred > y_pred[target]) <= k, a NaN
// score at the target counting as -inf (Keras's in_top_k). from_sorted_ids: y_pred rows hold
// class ids sorted by score and the match is "target among the first k ids".
std::vector<TensorInfo> top_k_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = common_floating(c, {0, 1});
  const Shape& t = c.in[0].shape;
  const Shape& p = c.in[1].shape;
  PKC_CHECK(!p.empty(), Value, c.node, ": y_pred needs a class axis, got shape ", shape_str(p));
  PKC_CHECK(c.attrs.i("k", 5) >= 1, Value, c.node, ": k must be >= 1, got ", c.attrs.i("k", 5));
  const bool sparse = c.attrs.i("sparse", 0) != 0;
  Shape out = sparse ? t : drop_last(t);
  if (!sparse)
    PKC_CHECK(!t.empty() && (t.back() == p.back() || t.back() < 0 || p.back() < 0), Value, c.node,
              ": one-hot y_true shape ", shape_str(t), " does not match y_pred shape ", shape_str(p));
  if (is_concrete(out) && is_concrete(p))
    PKC_CHECK(numel(out) * p.back() == numel(p), Value, c.node, ": y_true shape ", shape_str(t),
              " does not give one target per row of y_pred ", shape_str(p));
  return {{out, dt}};
}

template <typename T>
Kernel top_k_kernel(const KernelArgs& a) {
  const T* t = a.in[0].ptr<T>();
  const T* p = a.in[1].ptr<T>();
  T* out = a.out[0].ptr<T>();
  const int64_t C = a.in[1].shape.back();
  const int64_t rows = C ? a.in[1].numel() / C : 0;
  const int64_t k = a.attrs.i("k", 5);
  const bool sparse = a.attrs.i("sparse", 0) != 0;
  const bool sorted_ids = a.attrs.i("from_sorted_ids", 0) != 0;
  return [=] {
    for (int64_t r = 0; r < rows; ++r) {
      const T* pr = p + r * C;
      bool match = false;
      if (sorted_ids) {
        for (int64_t j = 0; j < std::min(k, C); ++j) match = match || pr[j] == t[r];
      } else {
        int64_t target;
        if (sparse) {
          target = static_cast<int64_t>(static_cast<int32_t>(t[r]));  // Keras casts labels to int32
        } else {
          const T* tr = t + r * C;
          target = 0;
          for (int64_t j = 1; j < C; ++j)
            if (tr[j] > tr[target]) target = j;
        }
        T at = target >= 0 && target < C ? pr[target] : std::numeric_limits<T>::quiet_NaN();
        if (std::isnan(at)) at = -std::numeric_limits<T>::infinity();
        int64_t above = 0;
        for (int64_t j = 0; j < C; ++j) above += pr[j] > at;
        match = 1 + above <= k;
      }
      out[r] = match ? T(1) : T(0);
    }
  };
}

PKC_REGISTER_OP({.name = "sparse_categorical_accuracy", .infer = sparse_acc_infer, .kernel = {sparse_acc_kernel}});
PKC_REGISTER_OP({.name = "categorical_accuracy", .infer = same_shape_metric_infer, .kernel = {cat_acc_kernel}});
PKC_REGISTER_OP({.name = "binary_accuracy", .infer = same_shape_metric_infer, .kernel = {bin_acc_kernel}});
PKC_REGISTER_OP({.name = "metric_accuracy", .infer = elementwise_values_infer, .kernel = {PKC_FLOAT_KERNEL(equal_kernel)}});
PKC_REGISTER_OP({.name = "metric_binary_accuracy", .infer = elementwise_values_infer, .kernel = {PKC_FLOAT_KERNEL(binary_equal_kernel)}});
PKC_REGISTER_OP({.name = "metric_top_k_accuracy", .infer = top_k_infer, .kernel = {PKC_FLOAT_KERNEL(top_k_kernel)}});

}  // namespace
}  // namespace pkc
