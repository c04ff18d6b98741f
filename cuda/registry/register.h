// cuda/registry/register.h — installs the CUDA kernel factories into the shared op registry
// (OpRegistry::set_kernel(name, DeviceType::cuda, ...)) when `_cuda` is imported, and runs one
// registered op on device tensors (the test harness). Ops without a CUDA factory keep a null
// kernel[cuda] and a program placed on CUDA must refuse them by name.
#pragma once
#include <string>
#include <vector>

#include "ops/registry.h"

namespace pkc::gpu {

// Idempotent. Returns the names of the ops that now have a CUDA kernel.
std::vector<std::string> register_cuda_kernels();

// Runs op `name` on `inputs` (all on the same device: CPU tensors run the CPU kernel, CUDA
// tensors the CUDA kernel), outputs allocated on that device from the op's shape rule.
// StepState{iteration, seed} is passed to the kernel (dropout). Synchronises before returning.
// For an op that updates an input in place (OpDef::mutates_input), that input is returned
// after the outputs.
std::vector<Tensor> run_op(const std::string& name, const std::vector<Tensor>& inputs, const Attrs& attrs,
                           int64_t iteration);

}  // namespace pkc::gpu
