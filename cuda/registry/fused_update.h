// cuda/registry/fused_update.h — runs one fused optimizer update over flat float32 buffers on
// the CPU (pkc::apply_update per span, the engine's kernel) or on a CUDA device (upload, one
// launch_fused_update, download): the harness the cuda tests compare the two with. Plain C++;
// no kernels here, and the engine does not call it (it has no device path yet).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "cuda/ops/optimizers.cuh"
#include "ops/optimizers.h"

namespace pkc::gpu {

// Host tensors (float32, 1-D, all the size of `p`); absent optionals are options turned off.
// Updated in place.
struct FlatUpdateState {
  Tensor p, g;
  std::optional<Tensor> slot[3];
  std::optional<Tensor> acc, ema;
};

// "sgd", "rmsprop", ... -> the rule; ValueError naming the known rules otherwise.
UpdateRule update_rule_from_name(const std::string& name);

// Checks every span against the buffers and the rule's required slots (ValueError), then runs
// the update on the CPU (device < 0) or on cuda:device, synchronously.
void run_fused_update(UpdateRule rule, const UpdateScalars& scalars, FlatUpdateState& state,
                      const std::vector<GpuUpdateSpan>& spans, int device);

}  // namespace pkc::gpu
