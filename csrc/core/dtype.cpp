// Names and sizes of element types.
#include "core/dtype.h"

#include "core/error.h"

namespace pkc {

size_t dtype_size(DType dt) {
  switch (dt) {
    case DType::float64: case DType::int64: case DType::uint64: return 8;
    case DType::float32: case DType::int32: case DType::uint32: return 4;
    case DType::float16: case DType::bfloat16: case DType::int16: case DType::uint16: return 2;
    case DType::uint8: case DType::int8: case DType::bool_: return 1;
  }
  return 0;
}

const char* dtype_name(DType dt) {
  switch (dt) {
    case DType::float32: return "float32";
    case DType::float64: return "float64";
    case DType::float16: return "float16";
    case DType::bfloat16: return "bfloat16";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::uint8: return "uint8";
    case DType::int8: return "int8";
    case DType::int16: return "int16";
    case DType::uint16: return "uint16";
    case DType::uint32: return "uint32";
    case DType::uint64: return "uint64";
    case DType::bool_: return "bool";
  }
  return "?";
}

DType dtype_from_name(const std::string& name) {
  static const DType all[] = {DType::float32, DType::float64, DType::float16, DType::bfloat16,
                              DType::int32,   DType::int64,   DType::uint8,   DType::int8,
                              DType::int16,   DType::uint16,  DType::uint32,  DType::uint64,
                              DType::bool_};
  for (DType dt : all)
    if (name == dtype_name(dt)) return dt;
  PKC_THROW(Type, "unknown dtype '", name, "'");
}

bool is_floating(DType dt) {
  return dt == DType::float32 || dt == DType::float64 || dt == DType::float16 || dt == DType::bfloat16;
}

bool is_integer(DType dt) { return !is_floating(dt) && dt != DType::bool_; }

}  // namespace pkc
