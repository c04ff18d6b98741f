// cuda/registry/slices.h — how a kernel factory describes "reduce over these axes" to the CUDA
// slice kernels (softmax, reductions): one slice per combination of the kept axes, in memory
// order, each slice the elements of the reduced axes. Offset tables are uploaded once, in the
// factory; a trailing block of reduced axes needs none (slices are plain rows). Plain C++.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "ops/registry.h"

namespace pkc::gpu {

struct DeviceSlices {
  int64_t rows = 0, cols = 0;
  std::shared_ptr<Storage> row_offsets, col_offsets;  // both null: contiguous rows

  const int64_t* row_table() const { return row_offsets ? static_cast<const int64_t*>(row_offsets->data()) : nullptr; }
  const int64_t* col_table() const { return col_offsets ? static_cast<const int64_t*>(col_offsets->data()) : nullptr; }
};

// Slices of `shape` reducing the sorted, distinct axes `red`, on the device of `a`'s tensors.
DeviceSlices device_slices(const KernelArgs& a, const Shape& shape, const std::vector<int>& red);

}  // namespace pkc::gpu
