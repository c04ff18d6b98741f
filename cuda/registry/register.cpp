// cuda/registry/register.cpp — register_cuda_kernels() and run_op() (register.h), plus the
// shared helpers of register_common.h.
#include "cuda/registry/register.h"

#include <mutex>

#include "cuda/common/check.cuh"
#include "cuda/common/stream.cuh"
#include "cuda/registry/device_tensor.h"
#include "cuda/registry/register_common.h"

namespace pkc::gpu {

int kernel_device(const KernelArgs& a) {
  int device = -1;
  for (const auto* list : {&a.in, &a.out})
    for (const Tensor& t : *list) {
      if (t.numel() == 0) continue;
      PKC_CHECK(t.device.type == DeviceType::cuda, Runtime, a.node, ": CUDA kernel given a tensor on ",
                t.device.str());
      PKC_CHECK(device < 0 || device == t.device.index, Runtime, a.node, ": tensors on cuda:", device, " and cuda:",
                t.device.index);
      device = t.device.index;
    }
  return device < 0 ? current_device() : device;
}

cudaStream_t kernel_stream(const KernelArgs& a) { return compute_stream(kernel_device(a)); }

void set_cuda_kernel(const std::string& op, KernelFactory f, std::vector<std::string>& done) {
  OpRegistry::instance().set_kernel(op, DeviceType::cuda, f);
  done.push_back(op);
}

std::vector<std::string> register_cuda_kernels() {
  static std::once_flag once;
  static std::vector<std::string> done;
  std::call_once(once, [] {
    register_dense_kernels(done);
    register_dropout_kernels(done);
    register_activation_kernels(done);
    register_elementwise_kernels(done);
    register_embedding_kernels(done);
    register_loss_kernels(done);
    register_metric_kernels(done);
    register_normalization_kernels(done);
  });
  return done;
}

std::vector<Tensor> run_op(const std::string& name, const std::vector<Tensor>& inputs, const Attrs& attrs,
                           int64_t iteration) {
  const OpDef& op = OpRegistry::instance().get(name);
  Device dev;
  for (size_t i = 0; i < inputs.size(); ++i) {
    PKC_CHECK(i == 0 || inputs[i].device == dev, Value, "run_op '", name, "': input ", i, " is on ",
              inputs[i].device.str(), " but input 0 is on ", dev.str());
    dev = inputs[i].device;
  }
  KernelFactory make = op.kernel[static_cast<int>(dev.type)];
  PKC_CHECK(make != nullptr, Runtime, "op '", name, "' has no ", dev.type == DeviceType::cuda ? "CUDA" : "CPU",
            " kernel");
  std::vector<TensorInfo> in_info;
  for (const Tensor& t : inputs) in_info.push_back({t.shape, t.dtype});
  const std::string node = name;
  std::vector<TensorInfo> out_info = op.infer(ShapeCtx{in_info, attrs, node});
  StepState step;
  step.iteration = iteration;
  KernelArgs args{inputs, {}, attrs, node, &step};
  for (size_t k = 0; k < out_info.size(); ++k) {
    if (op.alias_input >= 0 && static_cast<int>(k) == 0) {
      Tensor t = inputs.at(op.alias_input);
      t.shape = out_info[k].shape;
      args.out.push_back(t);
    } else if (dev.type == DeviceType::cuda) {
      args.out.push_back(empty_device(out_info[k].shape, out_info[k].dtype, dev.index));
    } else {
      args.out.push_back(Tensor::empty(out_info[k].shape, out_info[k].dtype));
    }
  }
  make(args)();
  if (dev.type == DeviceType::cuda) synchronize(dev.index);
  // In-place ops (metric accumulators) report the updated input after their outputs.
  if (op.mutates_input >= 0) args.out.push_back(inputs.at(op.mutates_input));
  return args.out;
}

}  // namespace pkc::gpu
