// Shape rules shared by several ops (same-as-input, broadcasting, reductions).
#pragma once
#include "ops/registry.h"

namespace pkc {

std::vector<TensorInfo> same_as_input0(const ShapeCtx& c);
// NumPy broadcasting of two shapes; -1 (unknown) dims broadcast against 1 and against -1.
Shape broadcast_shapes(const Shape& a, const Shape& b, const std::string& node);
std::vector<TensorInfo> broadcast_binary(const ShapeCtx& c);
std::vector<TensorInfo> scalar_float(const ShapeCtx& c);
void check_num_inputs(const ShapeCtx& c, size_t lo, size_t hi);

}  // namespace pkc
