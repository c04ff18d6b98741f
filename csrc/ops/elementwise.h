// Broadcast iteration and dtype dispatch helpers shared by the element-wise, comparison,
// reduction and shape op families. Helpers only: no op is registered here, and nothing here
// allocates once a kernel closure runs (the iterators keep their index on the stack).
#pragma once
#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/shape.h"
#include "ops/registry.h"

namespace pkc {

// Strides (in elements) of `in` laid over `out`'s index space: 0 where `in` broadcasts.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

// Largest rank the broadcast iterators handle without allocating.
constexpr int kMaxRank = 16;

// Calls f(out_index, a_index, b_index) for every element of `out`, last dim innermost.
template <typename F>
void for_each_broadcast(const Shape& out, const std::vector<int64_t>& sa, const std::vector<int64_t>& sb,
                        F&& f) {
  int64_t n = numel(out);
  if (n == 0) return;
  size_t r = out.size();
  if (r == 0) {
    f(0, 0, 0);
    return;
  }
  PKC_CHECK(r <= static_cast<size_t>(kMaxRank), Value, "broadcast over rank ", r, " exceeds ", kMaxRank);
  int64_t idx[kMaxRank] = {0};
  int64_t ia = 0, ib = 0;
  int64_t inner = out[r - 1], ta = sa[r - 1], tb = sb[r - 1];
  for (int64_t o = 0; o < n; o += inner) {
    for (int64_t j = 0; j < inner; ++j) f(o + j, ia + j * ta, ib + j * tb);
    // advance the outer index (dims 0..r-2)
    for (int d = static_cast<int>(r) - 2; d >= 0; --d) {
      ia += sa[d];
      ib += sb[d];
      if (++idx[d] < out[d]) break;
      ia -= sa[d] * out[d];
      ib -= sb[d] * out[d];
      idx[d] = 0;
    }
  }
}

// Three-operand form (where(cond, x, y)): f(out_index, a_index, b_index, c_index).
template <typename F>
void for_each_broadcast3(const Shape& out, const std::vector<int64_t>& sa, const std::vector<int64_t>& sb,
                         const std::vector<int64_t>& sc, F&& f) {
  int64_t n = numel(out);
  if (n == 0) return;
  size_t r = out.size();
  if (r == 0) {
    f(0, 0, 0, 0);
    return;
  }
  PKC_CHECK(r <= static_cast<size_t>(kMaxRank), Value, "broadcast over rank ", r, " exceeds ", kMaxRank);
  int64_t idx[kMaxRank] = {0};
  int64_t ia = 0, ib = 0, ic = 0;
  int64_t inner = out[r - 1], ta = sa[r - 1], tb = sb[r - 1], tc = sc[r - 1];
  for (int64_t o = 0; o < n; o += inner) {
    for (int64_t j = 0; j < inner; ++j) f(o + j, ia + j * ta, ib + j * tb, ic + j * tc);
    for (int d = static_cast<int>(r) - 2; d >= 0; --d) {
      ia += sa[d];
      ib += sb[d];
      ic += sc[d];
      if (++idx[d] < out[d]) break;
      ia -= sa[d] * out[d];
      ib -= sb[d] * out[d];
      ic -= sc[d] * out[d];
      idx[d] = 0;
    }
  }
}

// The element types that the dtype-generic kernels (comparisons, where, reductions, integer
// arithmetic) are instantiated for.
inline bool is_numeric_kernel_dtype(DType dt) {
  switch (dt) {
    case DType::float32: case DType::float64: case DType::int32: case DType::int64:
    case DType::int8: case DType::uint8: case DType::bool_:
      return true;
    default:
      return false;
  }
}

// Calls f(T{}) with T the C++ element type of `dt`; TypeError naming `node` otherwise.
template <typename F>
auto visit_dtype(DType dt, const std::string& node, F&& f) {
  switch (dt) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
    case DType::int32: return f(int32_t{});
    case DType::int64: return f(int64_t{});
    case DType::int8: return f(int8_t{});
    case DType::uint8: return f(uint8_t{});
    case DType::bool_: return f(bool{});
    default: break;
  }
  PKC_THROW(Type, node, ": dtype ", dtype_name(dt), " is not supported");
}

// Shape-rule helper: rank check for the broadcast iterators.
void check_max_rank(const ShapeCtx& c, const Shape& s);

// Normalised, sorted, de-duplicated reduction axes from attr "axis" (absent: all axes).
std::vector<int> reduction_axes(const Attrs& attrs, size_t rank, const std::string& node);

}  // namespace pkc
