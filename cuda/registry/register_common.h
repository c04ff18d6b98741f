// cuda/registry/register_common.h — helpers shared by the register_*.cpp files: the stream a
// CUDA kernel launches on, float32/float64 selection, and set_kernel with bookkeeping. Plain C++.
#pragma once
#include <cuda_runtime_api.h>

#include <string>
#include <vector>

#include "ops/dispatch.h"
#include "ops/registry.h"

namespace pkc::gpu {

// The device the kernel's tensors live on (checked to be one device; the current device when
// every tensor is empty).
int kernel_device(const KernelArgs& a);
// The compute stream of the device the kernel's tensors live on (checked to be one device).
cudaStream_t kernel_stream(const KernelArgs& a);

void set_cuda_kernel(const std::string& op, KernelFactory f, std::vector<std::string>& done);

void register_dense_kernels(std::vector<std::string>& done);
void register_dropout_kernels(std::vector<std::string>& done);
void register_activation_kernels(std::vector<std::string>& done);
void register_elementwise_kernels(std::vector<std::string>& done);
void register_embedding_kernels(std::vector<std::string>& done);
void register_loss_kernels(std::vector<std::string>& done);
void register_metric_kernels(std::vector<std::string>& done);
void register_normalization_kernels(std::vector<std::string>& done);

}  // namespace pkc::gpu

#define PKC_GPU_FLOAT_KERNEL(fn) PKC_FLOAT_KERNEL(fn)
