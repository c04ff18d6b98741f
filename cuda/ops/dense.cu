// cuda/ops/dense.cu — CUDA kernels and launchers for the Dense family (mirrors csrc/ops/dense.cpp):
// bias + ReLU epilogue, scalar and float4 grid-stride variants. Includes only cuda/common.
// ReLU here is NaN-propagating (x < 0 ? 0 : x), like np.maximum(x, 0).
#include "cuda/ops/dense.cuh"

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "cuda/common/check.cuh"
#include "cuda/common/device_buffer.cuh"

namespace pkc::gpu {
namespace {

__device__ __forceinline__ float relu(float v) { return v < 0.f ? 0.f : v; }

__global__ void bias_relu_kernel(const float* x, const float* __restrict__ b,
                                 float* y, int64_t n, int64_t cols) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += stride) {
    y[i] = relu(x[i] + b[i % cols]);
  }
}

// n4 = rows * cols / 4 and cols4 = cols / 4; all three pointers 16-byte aligned.
// x is not __restrict__: y may alias x (in-place epilogue); b must not alias y.
__global__ void bias_relu_kernel_vec4(const float4* x, const float4* __restrict__ b,
                                      float4* y, int64_t n4, int64_t cols4) {
  const int64_t stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n4; i += stride) {
    const float4 xv = x[i];
    const float4 bv = __ldg(&b[i % cols4]);
    y[i] = make_float4(relu(xv.x + bv.x), relu(xv.y + bv.y), relu(xv.z + bv.z), relu(xv.w + bv.w));
  }
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

int64_t checked_numel(const char* op, int64_t rows, int64_t cols) {
  if (rows < 0 || cols < 0) {
    throw std::invalid_argument(std::string(op) + ": sizes must be non-negative, got rows=" +
                                std::to_string(rows) + ", cols=" + std::to_string(cols));
  }
  if (cols > 0 && rows > std::numeric_limits<int64_t>::max() / cols) {
    throw std::invalid_argument(std::string(op) + ": rows * cols overflows int64");
  }
  return rows * cols;
}

}  // namespace

void launch_bias_relu(const float* x, const float* b, float* y, int64_t rows, int64_t cols,
                      cudaStream_t stream) {
  const int64_t n = checked_numel("bias_relu", rows, cols);
  if (n == 0) return;
  if (x == nullptr || b == nullptr || y == nullptr) {
    throw std::invalid_argument("bias_relu: null device pointer for a non-empty buffer");
  }
  if (cols % 4 == 0 && aligned16(x) && aligned16(b) && aligned16(y)) {
    const int64_t n4 = n / 4;
    bias_relu_kernel_vec4<<<grid_size(n4), kBlockSize, 0, stream>>>(
        reinterpret_cast<const float4*>(x), reinterpret_cast<const float4*>(b),
        reinterpret_cast<float4*>(y), n4, cols / 4);
  } else {
    bias_relu_kernel<<<grid_size(n), kBlockSize, 0, stream>>>(x, b, y, n, cols);
  }
  PKC_CUDA_CHECK_LAUNCH();
}

void bias_relu_host(const float* x, int64_t rows, int64_t cols, const float* b, int64_t b_len,
                    float* y) {
  const int64_t n = checked_numel("bias_relu", rows, cols);
  if (b_len != cols) {
    throw std::invalid_argument("bias_relu: bias shape (" + std::to_string(b_len) +
                                ",) does not match x shape (" + std::to_string(rows) + ", " +
                                std::to_string(cols) + "); expected bias shape (" +
                                std::to_string(cols) + ",)");
  }
  if (n == 0) return;
  const cudaStream_t stream = nullptr;  // legacy default stream; fine for a host round trip
  DeviceBuffer dx(n * sizeof(float)), db(cols * sizeof(float)), dy(n * sizeof(float));
  dx.copy_from_host(x, stream);
  db.copy_from_host(b, stream);
  launch_bias_relu(dx.as<float>(), db.as<float>(), dy.as<float>(), rows, cols, stream);
  dy.copy_to_host(y, stream);
  PKC_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace pkc::gpu
