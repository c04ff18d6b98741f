// cuda/common/runtime.cu — definitions for runtime.cuh (device count, runtime/cuBLAS versions).
// Host code only; must not create handles or streams, and device_count() must not throw when
// the machine simply has no GPU or no driver (import-time availability checks rely on that).
#include "cuda/common/runtime.cuh"

#include <cublasLt.h>
#include <cuda_runtime_api.h>

#include "cuda/common/check.cuh"

namespace pkc::gpu {

int device_count() {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err == cudaErrorNoDevice || err == cudaErrorInsufficientDriver) {
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return 0;
  }
  check_cuda(err, "cudaGetDeviceCount", __FILE__, __LINE__);
  return count;
}

int runtime_version() {
  int version = 0;
  PKC_CUDA_CHECK(cudaRuntimeGetVersion(&version));
  return version;
}

int64_t cublas_version() { return static_cast<int64_t>(cublasLtGetVersion()); }

}  // namespace pkc::gpu
