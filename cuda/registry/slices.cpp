// cuda/registry/slices.cpp — definitions for slices.h (the same offset construction as the
// CPU's softmax slices in csrc/ops/activations_softmax.cpp).
#include "cuda/registry/slices.h"

#include <algorithm>

#include "cuda/registry/device_tensor.h"
#include "cuda/registry/register_common.h"

namespace pkc::gpu {
namespace {

// Offsets of every element of the sub-grid spanned by `dims`, in memory order.
std::vector<int64_t> grid_offsets(const Shape& shape, const std::vector<int>& dims) {
  std::vector<int64_t> stride(shape.size(), 1);
  for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) stride[d] = stride[d + 1] * shape[d + 1];
  std::vector<int64_t> out{0};
  for (int d : dims) {
    std::vector<int64_t> next;
    next.reserve(out.size() * shape[d]);
    for (int64_t base : out)
      for (int64_t j = 0; j < shape[d]; ++j) next.push_back(base + j * stride[d]);
    out.swap(next);
  }
  return out;
}

}  // namespace

DeviceSlices device_slices(const KernelArgs& a, const Shape& shape, const std::vector<int>& red) {
  DeviceSlices s;
  std::vector<int> keep;
  for (int d = 0; d < static_cast<int>(shape.size()); ++d)
    if (!std::binary_search(red.begin(), red.end(), d)) keep.push_back(d);
  int64_t rows = 1, cols = 1;
  for (int d : keep) rows *= shape[d];
  for (int d : red) cols *= shape[d];
  s.rows = rows;
  s.cols = cols;
  if (rows == 0) return s;
  bool trailing = true;  // the reduced axes are the last red.size() axes
  for (size_t k = 0; k < red.size(); ++k)
    trailing = trailing && red[k] == static_cast<int>(shape.size() - red.size() + k);
  if (trailing || cols == 0) return s;
  const std::vector<int64_t> ro = grid_offsets(shape, keep), co = grid_offsets(shape, red);
  const int device = kernel_device(a);
  s.row_offsets = upload_bytes(ro.data(), ro.size() * sizeof(int64_t), device);
  s.col_offsets = upload_bytes(co.data(), co.size() * sizeof(int64_t), device);
  return s;
}

}  // namespace pkc::gpu
