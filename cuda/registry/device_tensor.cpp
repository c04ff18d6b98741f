// cuda/registry/device_tensor.cpp — definitions for device_tensor.h.
#include "cuda/registry/device_tensor.h"

#include <cuda_runtime_api.h>

#include "core/error.h"
#include "cuda/common/allocator.cuh"
#include "cuda/common/check.cuh"
#include "cuda/common/stream.cuh"

namespace pkc::gpu {

std::shared_ptr<Storage> allocate_device_storage(size_t bytes, int device) {
  void* p = device_allocate(bytes, device);
  if (bytes > 0) PKC_CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, compute_stream(device)));
  return std::make_shared<Storage>(p, bytes, Device{DeviceType::cuda, device}, [](void* q) {
    try {
      device_release(q);
    } catch (...) {  // a deleter must not throw; the block is then simply leaked
    }
  });
}

std::shared_ptr<Storage> upload_bytes(const void* host, size_t bytes, int device) {
  if (bytes == 0) return nullptr;
  std::shared_ptr<Storage> st = allocate_device_storage(bytes, device);
  cudaStream_t s = compute_stream(device);
  PKC_CUDA_CHECK(cudaMemcpyAsync(st->data(), host, bytes, cudaMemcpyHostToDevice, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));  // `host` may be freed as soon as this returns
  return st;
}

Tensor empty_device(const Shape& shape, DType dtype, int device) {
  PKC_CHECK(is_concrete(shape), Value, "cannot allocate a device tensor of unknown shape ", shape_str(shape));
  Tensor t;
  t.storage = allocate_device_storage(static_cast<size_t>(numel(shape)) * dtype_size(dtype), device);
  t.data = t.storage->data();
  t.shape = shape;
  t.dtype = dtype;
  t.device = Device{DeviceType::cuda, device};
  return t;
}

Tensor to_device(const Tensor& host, int device) {
  PKC_CHECK(host.device.type == DeviceType::cpu, Value, "to_device: tensor is already on ", host.device.str());
  Tensor d = empty_device(host.shape, host.dtype, device);
  cudaStream_t s = compute_stream(device);
  if (d.nbytes()) PKC_CUDA_CHECK(cudaMemcpyAsync(d.data, host.data, d.nbytes(), cudaMemcpyHostToDevice, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  return d;
}

Tensor to_host(const Tensor& dev) {
  PKC_CHECK(dev.device.type == DeviceType::cuda, Value, "to_host: tensor is not on a CUDA device");
  Tensor h = Tensor::empty(dev.shape, dev.dtype);
  cudaStream_t s = compute_stream(dev.device.index);
  if (h.nbytes()) PKC_CUDA_CHECK(cudaMemcpyAsync(h.data, dev.data, h.nbytes(), cudaMemcpyDeviceToHost, s));
  PKC_CUDA_CHECK(cudaStreamSynchronize(s));
  return h;
}

}  // namespace pkc::gpu
