// Common shape rules.
#include "ops/shape_rules.h"

#include <algorithm>

namespace pkc {

void check_num_inputs(const ShapeCtx& c, size_t lo, size_t hi) {
  PKC_CHECK(c.in.size() >= lo && c.in.size() <= hi, Value, c.node, ": expected ", lo,
            (lo == hi ? "" : str_cat("-", hi)), " inputs, got ", c.in.size());
}

std::vector<TensorInfo> same_as_input0(const ShapeCtx& c) {
  check_num_inputs(c, 1, 8);
  return {c.in[0]};
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& node) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da == db) out[i] = da;
    else if (da == 1) out[i] = db;
    else if (db == 1) out[i] = da;
    else if (da < 0) out[i] = db;
    else if (db < 0) out[i] = da;
    else
      PKC_THROW(Value, node, ": shapes ", shape_str(a), " and ", shape_str(b), " cannot be broadcast");
  }
  return out;
}

std::vector<TensorInfo> broadcast_binary(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  PKC_CHECK(c.in[0].dtype == c.in[1].dtype, Type, c.node, ": dtypes ", dtype_name(c.in[0].dtype),
            " and ", dtype_name(c.in[1].dtype), " differ");
  return {{broadcast_shapes(c.in[0].shape, c.in[1].shape, c.node), c.in[0].dtype}};
}

std::vector<TensorInfo> scalar_float(const ShapeCtx& c) { return {{Shape{}, DType::float32}}; }

}  // namespace pkc
