// cuda/common/check.cuh — error checks (PKC_CUDA_CHECK, PKC_CUBLAS_CHECK, PKC_CUDA_CHECK_LAUNCH)
// that throw std::runtime_error("<file>:<line>: <call> failed: <error string>") (RuntimeError in
// Python) or DeviceOutOfMemory (MemoryError) for allocation failures, and launch-size helpers
// for grid-stride loops. Host code only: must stay includable from plain C++ (no
// __global__/__device__ here), and must not include anything from csrc/.
#pragma once

#include <cublas_api.h>
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace pkc::gpu {

// Device memory exhausted (cudaErrorMemoryAllocation / CUBLAS_STATUS_ALLOC_FAILED); the bindings
// translate it to Python's MemoryError so a user can catch it and shrink the batch.
class DeviceOutOfMemory : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void throw_error(const char* what, const char* detail, const char* file,
                                     int line) {
  throw std::runtime_error(std::string(file) + ":" + std::to_string(line) + ": " + what +
                           " failed: " + detail);
}

inline void check_cuda(cudaError_t err, const char* what, const char* file, int line) {
  if (err != cudaSuccess) {
    std::string detail = std::string(cudaGetErrorName(err)) + " (" + cudaGetErrorString(err) + ")";
    if (err == cudaErrorMemoryAllocation) {
      cudaGetLastError();  // not sticky: clear it so the caller can free memory and retry
      throw DeviceOutOfMemory(std::string(file) + ":" + std::to_string(line) + ": " + what +
                              " failed: " + detail);
    }
    throw_error(what, detail.c_str(), file, line);
  }
}

inline void check_cublas(cublasStatus_t status, const char* what, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    std::string detail = std::string(cublasGetStatusName(status)) + " (" +
                         cublasGetStatusString(status) + ")";
    if (status == CUBLAS_STATUS_ALLOC_FAILED) {
      throw DeviceOutOfMemory(std::string(file) + ":" + std::to_string(line) + ": " + what +
                              " failed: " + detail);
    }
    throw_error(what, detail.c_str(), file, line);
  }
}

// Launch math for 1-D grid-stride loops: enough blocks to cover n, capped (the loop does the rest).
constexpr int kBlockSize = 256;
constexpr int64_t kMaxGridBlocks = 65535;

constexpr int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline unsigned int grid_size(int64_t n, int block = kBlockSize) {
  return static_cast<unsigned int>(std::clamp<int64_t>(ceil_div(n, block), 1, kMaxGridBlocks));
}

}  // namespace pkc::gpu

#define PKC_CUDA_CHECK(call) ::pkc::gpu::check_cuda((call), #call, __FILE__, __LINE__)
#define PKC_CUBLAS_CHECK(call) ::pkc::gpu::check_cublas((call), #call, __FILE__, __LINE__)
// After a <<<...>>> launch: reports bad launch configurations and missing kernel images.
#define PKC_CUDA_CHECK_LAUNCH() \
  ::pkc::gpu::check_cuda(cudaGetLastError(), "kernel launch", __FILE__, __LINE__)
