// cuda/registry/device_backend.cpp — CudaBackend: pkc::DeviceBackend over cuda/common (allocator,
// streams, pinned memory, gather_rows). Plain C++ calling the CUDA runtime API; no kernels here.
// Every device call first makes `device` current on this thread, since the engine may run a
// Program from any Python thread.
#include "cuda/registry/device_backend.h"

#include <cuda_runtime_api.h>

#include "core/device_backend.h"
#include "core/error.h"
#include "cuda/common/allocator.cuh"
#include "cuda/common/check.cuh"
#include "cuda/common/gather_rows.cuh"
#include "cuda/common/runtime.cuh"
#include "cuda/common/stream.cuh"

namespace pkc::gpu {
namespace {

class CudaBackend final : public DeviceBackend {
 public:
  int device_count() override { return pkc::gpu::device_count(); }

  size_t free_memory(int device) override {
    use(device);
    size_t free_bytes = 0, total = 0;
    PKC_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total));
    // Blocks cached by the allocator are free for the engine too.
    return free_bytes + static_cast<size_t>(device_allocator_stats(device).cached_bytes);
  }

  void* allocate(size_t bytes, int device) override { return device_allocate(bytes, device); }
  void release(void* ptr) override { device_release(ptr); }

  void* allocate_pinned(size_t bytes) override {
    void* p = nullptr;
    if (bytes) PKC_CUDA_CHECK(cudaHostAlloc(&p, bytes, cudaHostAllocDefault));
    return p;
  }
  void release_pinned(void* ptr) override {
    if (ptr) PKC_CUDA_CHECK(cudaFreeHost(ptr));
  }

  void copy_to_device(void* dst, const void* src, size_t bytes, int device) override {
    if (bytes) PKC_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream(device)));
  }

  void copy_to_host(void* dst, const void* src, size_t bytes, int device) override {
    if (!bytes) return;
    cudaStream_t s = stream(device);
    PKC_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, s));
    PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  }

  void memset(void* ptr, int value, size_t bytes, int device) override {
    if (bytes) PKC_CUDA_CHECK(cudaMemsetAsync(ptr, value, bytes, stream(device)));
  }

  void synchronize(int device) override { pkc::gpu::synchronize(device); }

  void gather_rows(void* dst, const void* src, const int64_t* rows, int64_t n, size_t row_bytes, int64_t src_stride,
                   int device) override {
    launch_gather_rows(dst, src, rows, n, row_bytes, src_stride, stream(device));
  }

 private:
  static void use(int device) {
    if (current_device() != device) set_current_device(device);
  }
  static cudaStream_t stream(int device) {
    use(device);
    return compute_stream(device);
  }
};

}  // namespace

void register_cuda_backend() {
  static CudaBackend backend;  // lives until exit, as the registry entry requires
  register_device_backend(DeviceType::cuda, &backend);
}

Tensor gather_rows_through_backend(const Tensor& src, const std::vector<int64_t>& rows, int device) {
  PKC_CHECK(src.rank() >= 1, Value, "gather_rows: src needs a batch dimension, got shape ", shape_str(src.shape));
  for (size_t i = 0; i < rows.size(); ++i)
    PKC_CHECK(rows[i] >= 0 && rows[i] < src.dim(0), Value, "gather_rows: row ", rows[i], " (position ", i,
              ") is outside src of ", src.dim(0), " rows");
  const Device dev{DeviceType::cuda, device};
  DeviceBackend& b = require_device_backend(dev);
  Shape out_shape = src.shape;
  out_shape[0] = static_cast<int64_t>(rows.size());
  Tensor out = Tensor::empty(out_shape, src.dtype);
  const size_t row_bytes = src.dim(0) ? src.nbytes() / static_cast<size_t>(src.dim(0)) : 0;
  auto d_src = allocate_storage(src.nbytes(), dev);
  auto d_rows = allocate_storage(rows.size() * sizeof(int64_t), dev);
  auto d_out = allocate_storage(out.nbytes(), dev);
  b.copy_to_device(d_src->data(), src.data, src.nbytes(), device);
  b.copy_to_device(d_rows->data(), rows.data(), rows.size() * sizeof(int64_t), device);
  b.gather_rows(d_out->data(), d_src->data(), static_cast<const int64_t*>(d_rows->data()),
                static_cast<int64_t>(rows.size()), row_bytes, static_cast<int64_t>(row_bytes), device);
  b.copy_to_host(out.data, d_out->data(), out.nbytes(), device);
  return out;
}

}  // namespace pkc::gpu
