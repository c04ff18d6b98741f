// Element-wise dtype conversion between buffers (used when gathering batches from the caller's
// arrays and when assigning variables). Plain loops; no allocation.
#pragma once
#include <cstdint>

#include "core/dtype.h"

namespace pkc {

// Converts n elements. Supports every numeric DType except float16/bfloat16 as sources.
void convert_elements(const void* src, DType src_dtype, void* dst, DType dst_dtype, int64_t n);

}  // namespace pkc
