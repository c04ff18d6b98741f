// cuda/registry/register_embedding.cpp — CUDA kernel factories for embedding and
// embedding_grad. A bad index is data, found on the device: the closure reads the kernel's
// bad-position flag back (one small synchronous copy per call) and raises the CPU's ValueError
// naming the node and the index. Shapes were checked by the ops' shape rules.
#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "core/error.h"
#include "cuda/common/check.cuh"
#include "cuda/ops/embedding.cuh"
#include "cuda/registry/device_tensor.h"
#include "cuda/registry/register_common.h"

namespace pkc::gpu {
namespace {

GpuIndexType index_type(DType dt, const std::string& node) {
  switch (dt) {
    case DType::int32: return GpuIndexType::int32;
    case DType::int64: return GpuIndexType::int64;
    case DType::uint8: return GpuIndexType::uint8;
    case DType::float32: return GpuIndexType::float32;
    case DType::float64: return GpuIndexType::float64;
    default:
      PKC_THROW(Type, node, ": embedding indices must be int32, int64, uint8, float32 or float64, got ",
                dtype_name(dt));
  }
}

// Reads the flag; on a bad index fetches its raw value and throws the CPU's message.
void raise_if_bad(const int64_t* flag, const void* indices, DType dt, int64_t n, int64_t V, const std::string& node,
                  cudaStream_t s) {
  int64_t bad = n;
  PKC_CUDA_CHECK(cudaMemcpyAsync(&bad, flag, sizeof(bad), cudaMemcpyDeviceToHost, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  if (bad >= n) return;
  unsigned char raw[8] = {};
  const size_t width = dtype_size(dt);
  PKC_CUDA_CHECK(cudaMemcpyAsync(raw, static_cast<const unsigned char*>(indices) + bad * width, width,
                                 cudaMemcpyDeviceToHost, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  std::ostringstream v;
  switch (dt) {
    case DType::int32: v << *reinterpret_cast<int32_t*>(raw); break;
    case DType::int64: v << *reinterpret_cast<int64_t*>(raw); break;
    case DType::uint8: v << static_cast<int>(raw[0]); break;
    case DType::float32: v << *reinterpret_cast<float*>(raw); break;
    default: v << *reinterpret_cast<double*>(raw); break;
  }
  PKC_THROW(Value, node, ": index ", v.str(), " is out of range: indices must be in [0, ", V, ") for input_dim ", V);
}

template <typename T>
Kernel embedding_kernel(const KernelArgs& a) {
  const void* idx = a.in[0].data;
  const DType dt = a.in[0].dtype;
  const GpuIndexType it = index_type(dt, a.node);
  const T* table = a.in[1].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const int64_t n = a.in[0].numel(), V = a.in[1].dim(0), D = a.in[1].dim(1);
  const std::shared_ptr<Storage> flag = allocate_device_storage(sizeof(int64_t), kernel_device(a));
  const std::string node = a.node;
  cudaStream_t s = kernel_stream(a);
  return [=] {
    auto* f = static_cast<int64_t*>(flag->data());
    launch_embedding<T>(idx, it, n, table, V, D, y, f, s);
    if (n > 0) raise_if_bad(f, idx, dt, n, V, node, s);
  };
}

template <typename T>
Kernel embedding_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const void* idx = a.in[1].data;
  const DType dt = a.in[1].dtype;
  const GpuIndexType it = index_type(dt, a.node);
  T* dtable = a.out[0].ptr<T>();
  const int64_t n = a.in[1].numel(), V = a.in[2].dim(0), D = a.in[2].dim(1);
  const int device = kernel_device(a);
  const std::shared_ptr<Storage> flag = allocate_device_storage(sizeof(int64_t), device);
  const std::string node = a.node;
  cudaStream_t s = kernel_stream(a);
  return [=] {
    auto* f = static_cast<int64_t*>(flag->data());
    launch_embedding_grad<T>(dy, idx, it, n, V, D, dtable, f, device, s);
    if (n > 0) raise_if_bad(f, idx, dt, n, V, node, s);
  };
}

}  // namespace

void register_embedding_kernels(std::vector<std::string>& done) {
  set_cuda_kernel("embedding", PKC_GPU_FLOAT_KERNEL(embedding_kernel), done);
  set_cuda_kernel("embedding_grad", PKC_GPU_FLOAT_KERNEL(embedding_grad_kernel), done);
}

}  // namespace pkc::gpu
