// Float32/float64 dispatch for kernel factories. A kernel factory written as a template
// `template <typename T> Kernel my_kernel(const KernelArgs&)` is registered with
// `.kernel = {PKC_FLOAT_KERNEL(my_kernel)}`; float64 exists for gradient checks.
#pragma once
#include "ops/registry.h"

namespace pkc {

// The type a kernel computes in: its first floating output, else its first floating input.
DType kernel_dtype(const KernelArgs& a);

// Shape-rule helper: input i must be float32 or float64; returns its dtype.
DType check_floating(const ShapeCtx& c, size_t i);
// All listed inputs must share one floating dtype; returns it.
DType common_floating(const ShapeCtx& c, std::initializer_list<size_t> inputs);

}  // namespace pkc

#define PKC_FLOAT_KERNEL(fn)                                                     \
  (+[](const ::pkc::KernelArgs& a) -> ::pkc::Kernel {                            \
    return ::pkc::kernel_dtype(a) == ::pkc::DType::float64 ? fn<double>(a) : fn<float>(a); \
  })
