// Axis helpers shared by shape rules.
#include "core/shape.h"

#include "core/error.h"

namespace pkc {

int normalize_axis(int64_t axis, size_t rank, const char* what) {
  int64_t r = static_cast<int64_t>(rank);
  PKC_CHECK(axis >= -r && axis < r, Value, what, ": axis ", axis, " is out of range for rank ", rank);
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

}  // namespace pkc
