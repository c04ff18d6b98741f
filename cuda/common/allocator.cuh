// cuda/common/allocator.cuh — the caching device allocator: cudaMalloc-backed blocks kept on
// per-device size-class free lists and reused, so a step loop allocates nothing from the driver.
// Never managed memory. Host declarations only (plain C++). Reuse is safe because every kernel
// and copy of a device runs on that device's one compute stream (stream.cuh): a block released
// after its last use is enqueued can only be handed to work enqueued later on the same stream.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pkc::gpu {

struct AllocatorStats {
  int64_t allocated_bytes = 0;  // handed out and not yet released (size-class rounded)
  int64_t cached_bytes = 0;     // on the free lists
  int64_t device_bytes = 0;     // obtained from cudaMalloc and not yet cudaFree'd
  int64_t malloc_calls = 0;     // cudaMalloc calls so far (a steady step loop adds none)
};

// The size class a request is rounded up to: at least 512 bytes; powers of two up to 1 MiB;
// multiples of 2 MiB above (so large buffers waste at most 2 MiB).
size_t size_class(size_t bytes);

// A block of at least `bytes` on `device`; nullptr for 0 bytes. On cudaMalloc failure the
// device's cache is freed and the call retried once; then DeviceOutOfMemory (-> MemoryError)
// naming the request and the device's free memory.
void* device_allocate(size_t bytes, int device);
// Returns a block from device_allocate to its free list (no-op for nullptr). Throws
// std::invalid_argument for a pointer this allocator did not hand out.
void device_release(void* ptr);
// cudaFree every cached block of `device` (-1: all devices); live blocks are untouched.
void device_empty_cache(int device = -1);
AllocatorStats device_allocator_stats(int device);

}  // namespace pkc::gpu
