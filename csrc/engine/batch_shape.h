// Shape helpers shared by the host and device step loops (program.cpp, program_device.cpp):
// a planned shape with its batch dimension replaced, and the elements in one row of a batch.
#pragma once
#include <cstdint>

#include "core/shape.h"

namespace pkc {

inline Shape with_batch(const Shape& s, int64_t b) {
  Shape out = s;
  if (!out.empty()) out[0] = b;
  return out;
}

inline int64_t row_elems(const Shape& s) {
  int64_t n = 1;
  for (size_t i = 1; i < s.size(); ++i) n *= s[i];
  return n;
}

}  // namespace pkc
