// Embedding lookup: embedding(indices, table) gathers rows of table[V, D] (indices of any
// integer or float dtype; floats are truncated toward zero as Keras's cast to int32 does) and
// embedding_grad scatter-adds dy rows into a dense [V, D] gradient, in index order. An index
// outside [0, V) is data, not shape, so it is caught by the kernel and raised as ValueError
// naming the layer; nothing is written for that step past the bad row.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {
namespace {

template <typename I>
int64_t index_at(const void* p, int64_t i, int64_t V, const std::string& node) {
  const I raw = static_cast<const I*>(p)[i];
  if constexpr (std::is_floating_point_v<I>) {
    PKC_CHECK(std::isfinite(raw) && raw > I(-1) && raw < static_cast<I>(V), Value, node, ": index ", raw,
              " is out of range: indices must be in [0, ", V, ") for input_dim ", V);
    return static_cast<int64_t>(raw);
  } else {
    PKC_CHECK(raw >= 0 && static_cast<int64_t>(raw) < V, Value, node, ": index ", static_cast<int64_t>(raw),
              " is out of range: indices must be in [0, ", V, ") for input_dim ", V);
    return static_cast<int64_t>(raw);
  }
}

using IndexFn = int64_t (*)(const void*, int64_t, int64_t, const std::string&);
IndexFn index_reader(DType dt, const std::string& node) {
  switch (dt) {
    case DType::int32: return index_at<int32_t>;
    case DType::int64: return index_at<int64_t>;
    case DType::uint8: return index_at<uint8_t>;
    case DType::float32: return index_at<float>;
    case DType::float64: return index_at<double>;
    default: PKC_THROW(Type, node, ": embedding indices must be int32, int64, uint8, float32 or float64, got ", dtype_name(dt));
  }
}

// ---- embedding(indices[...], table[V, D]) -> [..., D]
std::vector<TensorInfo> embedding_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  index_reader(c.in[0].dtype, c.node);
  DType dt = check_floating(c, 1);
  const Shape& t = c.in[1].shape;
  PKC_CHECK(t.size() == 2 && t[0] >= 0 && t[1] >= 0, Value, c.node, ": the embedding table must be 2-D with known sizes, got ",
            shape_str(t));
  Shape out = c.in[0].shape;
  out.push_back(t[1]);
  return {{out, dt}};
}

template <typename T>
Kernel embedding_kernel(const KernelArgs& a) {
  const void* idx = a.in[0].data;
  const T* table = a.in[1].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const int64_t n = a.in[0].numel(), V = a.in[1].dim(0), D = a.in[1].dim(1);
  const IndexFn at = index_reader(a.in[0].dtype, a.node);
  const std::string node = a.node;
  return [=] {
    for (int64_t i = 0; i < n; ++i) std::memcpy(y + i * D, table + at(idx, i, V, node) * D, sizeof(T) * D);
  };
}

void embedding_grad(GradCtx& g) {
  // Indices get no gradient (integers, or floats used as integers).
  if (g.needs_grad(1)) g.set_grad(1, g.emit1("embedding_grad", {g.out_grad(0), g.input(0), g.input(1)}));
}

// ---- embedding_grad(dy[..., D], indices[...], table[V, D]) -> dtable[V, D]
std::vector<TensorInfo> embedding_grad_infer(const ShapeCtx& c) {
  check_num_inputs(c, 3, 3);
  return {c.in[2]};
}

template <typename T>
Kernel embedding_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const void* idx = a.in[1].data;
  T* dt = a.out[0].ptr<T>();
  const int64_t n = a.in[1].numel(), V = a.in[2].dim(0), D = a.in[2].dim(1);
  const IndexFn at = index_reader(a.in[1].dtype, a.node);
  const std::string node = a.node;
  return [=] {
    std::memset(dt, 0, sizeof(T) * V * D);
    for (int64_t i = 0; i < n; ++i) {
      T* row = dt + at(idx, i, V, node) * D;
      const T* g = dy + i * D;
      for (int64_t j = 0; j < D; ++j) row[j] += g[j];
    }
  };
}

PKC_REGISTER_OP({.name = "embedding", .infer = embedding_infer, .grad = embedding_grad, .kernel = {PKC_FLOAT_KERNEL(embedding_kernel)}});
PKC_REGISTER_OP({.name = "embedding_grad", .infer = embedding_grad_infer, .kernel = {PKC_FLOAT_KERNEL(embedding_grad_kernel)}});

}  // namespace
}  // namespace pkc
