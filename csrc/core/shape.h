// Shapes: a vector of dims where -1 stands for a dim not known until run time (the batch).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pkc {

using Shape = std::vector<int64_t>;

inline int64_t numel(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

inline bool is_concrete(const Shape& s) {
  for (int64_t d : s)
    if (d < 0) return false;
  return true;
}

inline std::string shape_str(const Shape& s) {
  std::string out = "(";
  for (size_t i = 0; i < s.size(); ++i) {
    out += s[i] < 0 ? std::string("None") : std::to_string(s[i]);
    if (i + 1 < s.size() || s.size() == 1) out += ", ";
  }
  if (s.size() == 1) out.resize(out.size() - 1);
  return out + ")";
}

// Normalises a possibly negative axis against a rank; throws ValueError when out of range.
int normalize_axis(int64_t axis, size_t rank, const char* what);

}  // namespace pkc
