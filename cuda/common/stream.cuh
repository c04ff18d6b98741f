// cuda/common/stream.cuh — the current device and its streams: one compute stream per device
// (every kernel, GEMM and allocator reuse is ordered on it) and one copy stream for host<->device
// transfers that overlap compute. Host declarations only. Streams are created on first use and
// live until the process exits; nothing here allocates device memory.
#pragma once

#include <cuda_runtime_api.h>

namespace pkc::gpu {

constexpr int kMaxDevices = 64;

// The device kernels of this thread launch on (default 0). set_current_device checks the index
// against device_count() and throws std::invalid_argument (-> ValueError) naming both.
int current_device();
void set_current_device(int device);

cudaStream_t compute_stream(int device);
cudaStream_t copy_stream(int device);
inline cudaStream_t compute_stream() { return compute_stream(current_device()); }

// Waits for all work on `device`'s compute and copy streams; rethrows asynchronous kernel errors.
void synchronize(int device);

// TF32 tensor-core math in GEMMs: off by default (float32 results match the CPU to 1e-5).
void set_tf32_enabled(bool enabled);
bool tf32_enabled();

}  // namespace pkc::gpu
