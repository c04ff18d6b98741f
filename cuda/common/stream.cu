// cuda/common/stream.cu — definitions for stream.cuh. Host code only; streams are created
// non-blocking (they never serialise with the legacy default stream) and never destroyed.
#include "cuda/common/stream.cuh"

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/runtime.cuh"

namespace pkc::gpu {
namespace {

thread_local int t_device = 0;
std::mutex g_mu;
cudaStream_t g_compute[kMaxDevices] = {};
cudaStream_t g_copy[kMaxDevices] = {};
std::atomic<bool> g_tf32{false};

void check_index(int device) {
  const int n = device_count();
  if (device < 0 || device >= n || device >= kMaxDevices) {
    throw std::invalid_argument("CUDA device index " + std::to_string(device) + " is out of range: " +
                                std::to_string(n) + " device(s) visible");
  }
}

cudaStream_t get_or_create(cudaStream_t* table, int device) {
  check_index(device);
  std::lock_guard<std::mutex> lock(g_mu);
  if (table[device] == nullptr) {
    int previous = 0;
    PKC_CUDA_CHECK(cudaGetDevice(&previous));
    PKC_CUDA_CHECK(cudaSetDevice(device));
    cudaStream_t s = nullptr;
    cudaError_t err = cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking);
    cudaSetDevice(previous);
    check_cuda(err, "cudaStreamCreateWithFlags", __FILE__, __LINE__);
    table[device] = s;
  }
  return table[device];
}

}  // namespace

int current_device() { return t_device; }

void set_current_device(int device) {
  check_index(device);
  PKC_CUDA_CHECK(cudaSetDevice(device));
  t_device = device;
}

cudaStream_t compute_stream(int device) { return get_or_create(g_compute, device); }
cudaStream_t copy_stream(int device) { return get_or_create(g_copy, device); }

void synchronize(int device) {
  PKC_CUDA_CHECK(cudaStreamSynchronize(compute_stream(device)));
  PKC_CUDA_CHECK(cudaStreamSynchronize(copy_stream(device)));
}

void set_tf32_enabled(bool enabled) { g_tf32.store(enabled); }
bool tf32_enabled() { return g_tf32.load(); }

}  // namespace pkc::gpu
