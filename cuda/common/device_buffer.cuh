// cuda/common/device_buffer.cuh — DeviceBuffer: an owning, move-only cudaMalloc'd byte buffer
// with host<->device copy helpers (used by host round trips and tests). Host code only; it must
// not grow into an allocator — pooled device memory belongs to the engine's memory planner.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <utility>

#include "cuda/common/check.cuh"

namespace pkc::gpu {

class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes_ > 0) PKC_CUDA_CHECK(cudaMalloc(&ptr_, bytes_));
  }
  ~DeviceBuffer() {
    if (ptr_ != nullptr) cudaFree(ptr_);  // never throws from a destructor
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept
      : ptr_(std::exchange(other.ptr_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    std::swap(ptr_, other.ptr_);
    std::swap(bytes_, other.bytes_);
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  template <typename T>
  T* as() const { return static_cast<T*>(ptr_); }
  size_t bytes() const { return bytes_; }

  void copy_from_host(const void* src, cudaStream_t stream) {
    if (bytes_ > 0) PKC_CUDA_CHECK(cudaMemcpyAsync(ptr_, src, bytes_, cudaMemcpyHostToDevice, stream));
  }
  void copy_to_host(void* dst, cudaStream_t stream) const {
    if (bytes_ > 0) PKC_CUDA_CHECK(cudaMemcpyAsync(dst, ptr_, bytes_, cudaMemcpyDeviceToHost, stream));
  }

 private:
  void* ptr_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace pkc::gpu
