// Shape rules and broadcast helpers shared by the metric op families (see metric_common.h).
#include "ops/metric_common.h"

namespace pkc {

DType check_same_shape_pair(const ShapeCtx& c) {
  DType dt = common_floating(c, {0, 1});
  const Shape& t = c.in[0].shape;
  const Shape& p = c.in[1].shape;
  bool ok = t.size() == p.size();
  for (size_t i = 0; ok && i < t.size(); ++i) ok = t[i] == p[i] || t[i] < 0 || p[i] < 0;
  PKC_CHECK(ok, Value, c.node, ": y_true shape ", shape_str(t), " does not match y_pred shape ", shape_str(p));
  return dt;
}

std::vector<TensorInfo> row_values_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = check_same_shape_pair(c);
  return {{metric_drop_last(c.in[1].shape), dt}};
}

std::vector<TensorInfo> elementwise_values_infer(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  DType dt = check_same_shape_pair(c);
  return {{c.in[1].shape, dt}};
}

void check_weight_broadcast(const Shape& w, const Shape& v, const std::string& node) {
  PKC_CHECK(w.size() <= v.size(), Value, node, ": sample_weight shape ", shape_str(w),
            " has more dims than values ", shape_str(v));
  for (size_t i = 0; i < w.size(); ++i)
    PKC_CHECK(w[i] == v[i] || w[i] == 1 || w[i] < 0 || v[i] < 0, Value, node, ": sample_weight shape ",
              shape_str(w), " does not match values shape ", shape_str(v));
}

std::vector<int64_t> leading_weight_strides(const Shape& w, const Shape& target) {
  std::vector<int64_t> s(target.size(), 0);
  int64_t st = 1;
  for (int64_t d = static_cast<int64_t>(w.size()) - 1; d >= 0; --d) {
    s[d] = w[d] == 1 ? 0 : st;
    st *= w[d];
  }
  return s;
}

}  // namespace pkc
