// cuda/registry/device_tensor.h — pkc::Tensor on a CUDA device: Storage from the caching
// allocator (released back to it, never cudaFree'd directly), uploads and downloads on the
// device's compute stream. The glue between csrc/core and cuda/common; no kernels here.
#pragma once
#include "core/tensor.h"

namespace pkc::gpu {

// Zero-filled device storage of `bytes` on cuda:`device` (zeroed on the compute stream, like
// Storage::allocate_host zero-fills).
std::shared_ptr<Storage> allocate_device_storage(size_t bytes, int device);
Tensor empty_device(const Shape& shape, DType dtype, int device);

// A device copy of `bytes` host bytes (e.g. an offset table a kernel factory builds once),
// uploaded synchronously on the device's compute stream; null storage for 0 bytes.
std::shared_ptr<Storage> upload_bytes(const void* host, size_t bytes, int device);

// Host tensor -> new device tensor, and back (synchronous: they wait for the compute stream).
Tensor to_device(const Tensor& host, int device);
Tensor to_host(const Tensor& dev);

}  // namespace pkc::gpu
