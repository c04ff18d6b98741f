// Broadcast iteration helper shared by element-wise binary ops and reduce-to-shape.
#pragma once
#include <vector>

#include "core/shape.h"

namespace pkc {

// Strides (in elements) of `in` laid over `out`'s index space: 0 where `in` broadcasts.
std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out);

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
  std::vector<int64_t> idx(r, 0);
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

}  // namespace pkc
