// dtype conversion loops, one instantiation per (source, destination) pair.
#include "core/convert.h"

#include <cstring>

#include "core/error.h"

namespace pkc {

namespace {

template <typename S, typename D>
void convert_loop(const void* src, void* dst, int64_t n) {
  const S* s = static_cast<const S*>(src);
  D* d = static_cast<D*>(dst);
  for (int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(s[i]);
}

template <typename D>
void convert_to(const void* src, DType st, void* dst, int64_t n) {
  switch (st) {
    case DType::float32: return convert_loop<float, D>(src, dst, n);
    case DType::float64: return convert_loop<double, D>(src, dst, n);
    case DType::int32: return convert_loop<int32_t, D>(src, dst, n);
    case DType::int64: return convert_loop<int64_t, D>(src, dst, n);
    case DType::uint8: return convert_loop<uint8_t, D>(src, dst, n);
    case DType::int8: return convert_loop<int8_t, D>(src, dst, n);
    case DType::int16: return convert_loop<int16_t, D>(src, dst, n);
    case DType::uint16: return convert_loop<uint16_t, D>(src, dst, n);
    case DType::uint32: return convert_loop<uint32_t, D>(src, dst, n);
    case DType::uint64: return convert_loop<uint64_t, D>(src, dst, n);
    case DType::bool_: return convert_loop<bool, D>(src, dst, n);
    default: PKC_THROW(Type, "cannot convert from ", dtype_name(st));
  }
}

}  // namespace

void convert_elements(const void* src, DType st, void* dst, DType dt, int64_t n) {
  if (n <= 0) return;
  if (st == dt) {
    std::memcpy(dst, src, static_cast<size_t>(n) * dtype_size(dt));
    return;
  }
  switch (dt) {
    case DType::float32: return convert_to<float>(src, st, dst, n);
    case DType::float64: return convert_to<double>(src, st, dst, n);
    case DType::int32: return convert_to<int32_t>(src, st, dst, n);
    case DType::int64: return convert_to<int64_t>(src, st, dst, n);
    default: PKC_THROW(Type, "cannot convert to ", dtype_name(dt));
  }
}

}  // namespace pkc
