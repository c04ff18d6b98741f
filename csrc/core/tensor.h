// Tensor: a typed, shaped, contiguous view of memory, optionally owning it through Storage.
// Kernels receive Tensors whose data pointers were fixed when a program was planned; a Tensor
// never allocates on its own except through Tensor::empty (used outside step loops).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "core/device.h"
#include "core/dtype.h"
#include "core/shape.h"

namespace pkc {

// A block of memory on one device, released by its deleter.
class Storage {
 public:
  Storage(void* data, size_t bytes, Device device, std::function<void(void*)> deleter)
      : data_(data), bytes_(bytes), device_(device), deleter_(std::move(deleter)) {}
  ~Storage() {
    if (deleter_ && data_) deleter_(data_);
  }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

  // 64-byte aligned, zero-filled host memory.
  static std::shared_ptr<Storage> allocate_host(size_t bytes);

 private:
  void* data_;
  size_t bytes_;
  Device device_;
  std::function<void(void*)> deleter_;
};

struct Tensor {
  std::shared_ptr<Storage> storage;  // null for non-owning views
  void* data = nullptr;
  Shape shape;
  DType dtype = DType::float32;
  Device device;

  int64_t numel() const { return pkc::numel(shape); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype); }
  int64_t dim(int i) const { return shape[i < 0 ? shape.size() + i : i]; }
  int rank() const { return static_cast<int>(shape.size()); }
  template <typename T>
  T* ptr() const {
    return static_cast<T*>(data);
  }

  static Tensor empty(const Shape& shape, DType dtype);  // host, zero-filled
  static Tensor view(void* data, const Shape& shape, DType dtype, Device device = {}) {
    Tensor t;
    t.data = data;
    t.shape = shape;
    t.dtype = dtype;
    t.device = device;
    return t;
  }
};

}  // namespace pkc
