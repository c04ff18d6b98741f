// Element types of tensors. float32 is the compute type today; the others exist so that
// inputs, labels and later backends (float64 gradient checks, half precision) have a name.
// No math here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace pkc {

enum class DType : uint8_t { float32, float64, float16, bfloat16, int32, int64, uint8, int8, int16, uint16, uint32, uint64, bool_ };

size_t dtype_size(DType dt);
const char* dtype_name(DType dt);
DType dtype_from_name(const std::string& name);  // throws TypeError on an unknown name
bool is_floating(DType dt);
bool is_integer(DType dt);

}  // namespace pkc
