// Host allocation for Storage/Tensor.
#include "core/tensor.h"

#include <cstdlib>
#include <cstring>

#include "core/error.h"

namespace pkc {

std::shared_ptr<Storage> Storage::allocate_host(size_t bytes) {
  size_t padded = (bytes + 63) / 64 * 64;
  if (padded == 0) padded = 64;
  void* p = std::aligned_alloc(64, padded);
  PKC_CHECK(p != nullptr, Runtime, "out of host memory allocating ", bytes, " bytes");
  std::memset(p, 0, padded);
  return std::make_shared<Storage>(p, bytes, Device{}, [](void* q) { std::free(q); });
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  PKC_CHECK(is_concrete(shape), Value, "cannot allocate a tensor of unknown shape ", shape_str(shape));
  Tensor t;
  t.storage = Storage::allocate_host(static_cast<size_t>(pkc::numel(shape)) * dtype_size(dtype));
  t.data = t.storage->data();
  t.shape = shape;
  t.dtype = dtype;
  return t;
}

}  // namespace pkc
