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

// Host tensor -> new device tensor, and back (synchronous: they wait for the compute stream).
Tensor to_device(const Tensor& host, int device);
Tensor to_host(const Tensor& dev);

}  // namespace pkc::gpu
