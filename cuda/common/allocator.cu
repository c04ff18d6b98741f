// cuda/common/allocator.cu — definitions for allocator.cuh: one mutex-guarded table of live
// blocks and per-(device, size class) free lists. Host code only; must not synchronise a stream
// on the fast path (reuse relies on single-stream ordering, see allocator.cuh).
#include "cuda/common/allocator.cuh"

#include <cuda_runtime_api.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cuda/common/check.cuh"

namespace pkc::gpu {
namespace {

constexpr size_t kMinBlock = 512;
constexpr size_t kSmallLimit = size_t(1) << 20;
constexpr size_t kLargeRound = size_t(2) << 20;

struct Block {
  size_t bytes;
  int device;
};

struct Pool {
  std::mutex mu;
  std::unordered_map<void*, Block> live;
  std::map<std::pair<int, size_t>, std::vector<void*>> free_lists;
  std::map<int, AllocatorStats> stats;
};

Pool& pool() {
  static Pool* p = new Pool();  // leaked on purpose: blocks may be released during interpreter exit
  return *p;
}

// Makes `device` current for the duration of a driver call, restoring the caller's device.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) {
    PKC_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) PKC_CUDA_CHECK(cudaSetDevice(device));
  }
  ~DeviceGuard() { cudaSetDevice(previous_); }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

// Caller holds the pool mutex.
void free_cached_locked(Pool& p, int device) {
  for (auto it = p.free_lists.begin(); it != p.free_lists.end();) {
    if (device >= 0 && it->first.first != device) {
      ++it;
      continue;
    }
    DeviceGuard guard(it->first.first);
    for (void* ptr : it->second) {
      cudaFree(ptr);
      AllocatorStats& s = p.stats[it->first.first];
      s.cached_bytes -= static_cast<int64_t>(it->first.second);
      s.device_bytes -= static_cast<int64_t>(it->first.second);
    }
    it = p.free_lists.erase(it);
  }
}

}  // namespace

size_t size_class(size_t bytes) {
  if (bytes <= kMinBlock) return kMinBlock;
  if (bytes <= kSmallLimit) {
    size_t c = kMinBlock;
    while (c < bytes) c <<= 1;
    return c;
  }
  return (bytes + kLargeRound - 1) / kLargeRound * kLargeRound;
}

void* device_allocate(size_t bytes, int device) {
  if (bytes == 0) return nullptr;
  if (device < 0) throw std::invalid_argument("device_allocate: device index must be >= 0, got " + std::to_string(device));
  const size_t cls = size_class(bytes);
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  AllocatorStats& s = p.stats[device];
  auto fl = p.free_lists.find({device, cls});
  if (fl != p.free_lists.end() && !fl->second.empty()) {
    void* ptr = fl->second.back();
    fl->second.pop_back();
    p.live.emplace(ptr, Block{cls, device});
    s.cached_bytes -= static_cast<int64_t>(cls);
    s.allocated_bytes += static_cast<int64_t>(cls);
    return ptr;
  }
  DeviceGuard guard(device);
  void* ptr = nullptr;
  cudaError_t err = cudaMalloc(&ptr, cls);
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    free_cached_locked(p, device);
    err = cudaMalloc(&ptr, cls);
  }
  if (err == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    size_t free_b = 0, total_b = 0;
    cudaMemGetInfo(&free_b, &total_b);
    throw DeviceOutOfMemory("CUDA out of memory: cannot allocate " + std::to_string(bytes) + " bytes on cuda:" +
                            std::to_string(device) + " (" + std::to_string(free_b >> 20) + " MiB free of " +
                            std::to_string(total_b >> 20) + " MiB)");
  }
  check_cuda(err, "cudaMalloc", __FILE__, __LINE__);
  p.live.emplace(ptr, Block{cls, device});
  s.allocated_bytes += static_cast<int64_t>(cls);
  s.device_bytes += static_cast<int64_t>(cls);
  s.malloc_calls += 1;
  return ptr;
}

void device_release(void* ptr) {
  if (ptr == nullptr) return;
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  auto it = p.live.find(ptr);
  if (it == p.live.end()) throw std::invalid_argument("device_release: pointer was not allocated by device_allocate");
  const Block b = it->second;
  p.live.erase(it);
  p.free_lists[{b.device, b.bytes}].push_back(ptr);
  AllocatorStats& s = p.stats[b.device];
  s.allocated_bytes -= static_cast<int64_t>(b.bytes);
  s.cached_bytes += static_cast<int64_t>(b.bytes);
}

void device_empty_cache(int device) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  free_cached_locked(p, device);
}

AllocatorStats device_allocator_stats(int device) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mu);
  auto it = p.stats.find(device);
  return it == p.stats.end() ? AllocatorStats{} : it->second;
}

}  // namespace pkc::gpu
