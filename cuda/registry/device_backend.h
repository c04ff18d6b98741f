// cuda/registry/device_backend.h — installs the CUDA implementation of pkc::DeviceBackend
// (csrc/core/device_backend.h) when `_cuda` is imported: the caching allocator, pinned memory,
// copies on the compute stream, the row gather. Registration makes no CUDA call (import needs
// no GPU); every method does its work on the device it is given.
#pragma once
#include <vector>

#include "core/tensor.h"

namespace pkc::gpu {

// Idempotent.
void register_cuda_backend();

// Test harness of the backend as the engine uses it: `src` (a host tensor with a batch dimension)
// is uploaded through the registered backend, rows `rows` are gathered on cuda:`device` and the
// packed result comes back as a new host tensor. ValueError for a row outside src.
Tensor gather_rows_through_backend(const Tensor& src, const std::vector<int64_t>& rows, int device);

}  // namespace pkc::gpu
