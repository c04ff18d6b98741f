// Weight constraints (Keras 3 MaxNorm, NonNeg, UnitNorm, MinMaxNorm) as in-place projections of
// one float32 variable, run by the native Optimizer right after that variable's update. A
// ConstraintKernel is prepared once per (constraint, variable shape) and owns its norm buffer,
// so apply() allocates nothing. Not a graph op: constraints never enter autodiff.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/shape.h"

namespace pkc {

enum class ConstraintKind { max_norm, non_neg, unit_norm, min_max_norm };

struct ConstraintSpec {
  ConstraintKind kind = ConstraintKind::non_neg;
  double min_value = 0, max_value = 0, rate = 1;
  std::vector<int64_t> axes;  // the axes the norms reduce over (Keras's `axis`, made a list)
};

// kind: "max_norm" (max_value), "non_neg", "unit_norm", "min_max_norm" (min_value, max_value,
// rate). Throws ValueError naming `what` for an unknown kind or a missing parameter.
ConstraintSpec make_constraint_spec(const std::string& kind, const std::map<std::string, double>& params,
                                    std::vector<int64_t> axes, const std::string& what);

class ConstraintKernel {
 public:
  // Checks the axes against the variable's shape (ValueError naming `what`).
  ConstraintKernel(const ConstraintSpec& spec, const Shape& shape, const std::string& what);
  void apply(float* w);  // projects the variable in place

 private:
  ConstraintSpec spec_;
  Shape shape_;
  std::vector<int64_t> norm_stride_;  // per dim: stride into norms_ (0 along reduced axes)
  std::vector<double> norms_;         // sums of squares, then the per-slice scale
  std::vector<int64_t> counter_;      // multi-index scratch for the strided walk
};

}  // namespace pkc
