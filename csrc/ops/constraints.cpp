// Keras 3 constraint formulas on a float32 variable, in place. Norms are sqrt(sum(w^2)) over
// the constraint's axes (keepdims), summed in double in a fixed order; the scale is formed in
// float32 as Keras does: w * (desired / (epsilon + norm)) with epsilon = 1e-7. NonNeg is
// max(w, 0). Nothing here allocates after construction.
#include "ops/constraints.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace pkc {

namespace {
constexpr float kEpsilon = 1e-7f;  // keras.config.epsilon()

double param(const std::map<std::string, double>& p, const char* key, const std::string& what) {
  auto it = p.find(key);
  PKC_CHECK(it != p.end(), Value, "constraint of ", what, ": missing parameter '", key, "'");
  return it->second;
}
}  // namespace

ConstraintSpec make_constraint_spec(const std::string& kind, const std::map<std::string, double>& params,
                                    std::vector<int64_t> axes, const std::string& what) {
  ConstraintSpec s;
  s.axes = std::move(axes);
  if (kind == "max_norm") {
    s.kind = ConstraintKind::max_norm;
    s.max_value = param(params, "max_value", what);
  } else if (kind == "non_neg") {
    s.kind = ConstraintKind::non_neg;
  } else if (kind == "unit_norm") {
    s.kind = ConstraintKind::unit_norm;
  } else if (kind == "min_max_norm") {
    s.kind = ConstraintKind::min_max_norm;
    s.min_value = param(params, "min_value", what);
    s.max_value = param(params, "max_value", what);
    s.rate = param(params, "rate", what);
  } else {
    PKC_THROW(Value, "unknown constraint '", kind, "' for ", what,
              " (expected max_norm, non_neg, unit_norm or min_max_norm)");
  }
  return s;
}

ConstraintKernel::ConstraintKernel(const ConstraintSpec& spec, const Shape& shape, const std::string& what)
    : spec_(spec), shape_(shape) {
  if (spec_.kind == ConstraintKind::non_neg) return;
  const size_t rank = shape_.size();
  std::vector<char> reduced(rank, 0);
  for (int64_t a : spec_.axes) {
    PKC_CHECK(a >= -static_cast<int64_t>(rank) && a < static_cast<int64_t>(rank), Value, "constraint axis ", a,
              " is out of bounds for variable ", what, " of shape ", shape_str(shape_));
    reduced[a < 0 ? a + rank : a] = 1;
  }
  // Row-major strides of the kept (non-reduced) dims give each element its norm slot.
  norm_stride_.assign(rank, 0);
  int64_t n = 1;
  for (size_t d = rank; d-- > 0;)
    if (!reduced[d]) {
      norm_stride_[d] = n;
      n *= shape_[d];
    }
  norms_.assign(static_cast<size_t>(n), 0.0);
  counter_.assign(rank, 0);
}

void ConstraintKernel::apply(float* w) {
  const int64_t total = numel(shape_);
  if (spec_.kind == ConstraintKind::non_neg) {
    for (int64_t i = 0; i < total; ++i) w[i] = std::max(w[i], 0.f);
    return;
  }
  const size_t rank = shape_.size();
  // Walks the elements in memory order, carrying the norm slot along with the multi-index.
  auto walk = [&](auto&& visit) {
    std::fill(counter_.begin(), counter_.end(), 0);
    int64_t slot = 0;
    for (int64_t i = 0; i < total; ++i) {
      visit(i, slot);
      for (size_t d = rank; d-- > 0;) {
        slot += norm_stride_[d];
        if (++counter_[d] < shape_[d]) break;
        slot -= norm_stride_[d] * shape_[d];
        counter_[d] = 0;
      }
    }
  };
  std::fill(norms_.begin(), norms_.end(), 0.0);
  walk([&](int64_t i, int64_t slot) { norms_[slot] += static_cast<double>(w[i]) * w[i]; });
  for (double& v : norms_) {
    const float norm = static_cast<float>(std::sqrt(v));
    float desired = norm;
    switch (spec_.kind) {
      case ConstraintKind::max_norm: desired = std::min(std::max(norm, 0.f), static_cast<float>(spec_.max_value)); break;
      case ConstraintKind::unit_norm: desired = 1.f; break;
      case ConstraintKind::min_max_norm: {
        const float clipped = std::min(std::max(norm, static_cast<float>(spec_.min_value)), static_cast<float>(spec_.max_value));
        desired = static_cast<float>(spec_.rate) * clipped + static_cast<float>(1.0 - spec_.rate) * norm;
        break;
      }
      case ConstraintKind::non_neg: break;
    }
    // UnitNorm keeps the denominator (Keras divides by it); the others keep the factor.
    const float denom = kEpsilon + norm;
    v = spec_.kind == ConstraintKind::unit_norm ? denom : desired / denom;
  }
  if (spec_.kind == ConstraintKind::unit_norm)
    walk([&](int64_t i, int64_t slot) { w[i] = w[i] / static_cast<float>(norms_[slot]); });
  else
    walk([&](int64_t i, int64_t slot) { w[i] = w[i] * static_cast<float>(norms_[slot]); });
}

}  // namespace pkc
