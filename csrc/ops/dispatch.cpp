// Dtype selection for kernels and float checks for shape rules.
#include "ops/dispatch.h"

namespace pkc {

DType kernel_dtype(const KernelArgs& a) {
  for (const Tensor& t : a.out)
    if (is_floating(t.dtype)) return t.dtype;
  for (const Tensor& t : a.in)
    if (is_floating(t.dtype)) return t.dtype;
  return DType::float32;
}

DType check_floating(const ShapeCtx& c, size_t i) {
  DType dt = c.in.at(i).dtype;
  PKC_CHECK(dt == DType::float32 || dt == DType::float64, Type, c.node, ": input ", i,
            " must be float32 or float64, got ", dtype_name(dt));
  return dt;
}

DType common_floating(const ShapeCtx& c, std::initializer_list<size_t> inputs) {
  DType first = check_floating(c, *inputs.begin());
  for (size_t i : inputs)
    PKC_CHECK(check_floating(c, i) == first, Type, c.node, ": inputs have different dtypes (",
              dtype_name(first), " and ", dtype_name(c.in[i].dtype), ")");
  return first;
}

}  // namespace pkc
