// cuda/registry/device_backend.h — installs the CUDA implementation of pkc::DeviceBackend
// (csrc/core/device_backend.h) when `_cuda` is imported: the caching allocator, pinned memory,
// copies on the compute stream, the row gather. Registration makes no CUDA call (import needs
// no GPU); every method does its work on the device it is given.
#pragma once

namespace pkc::gpu {

// Idempotent.
void register_cuda_backend();

}  // namespace pkc::gpu
