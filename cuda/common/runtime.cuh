// cuda/common/runtime.cuh — process-level CUDA queries: device count (0 without a driver or
// device, never throws for those), runtime and cuBLASLt versions. Host declarations only; the
// definitions are in runtime.cu so that callers need no CUDA headers.
#pragma once

#include <cstdint>

namespace pkc::gpu {

int device_count();         // 0 if the driver is missing/too old or no device is visible
int runtime_version();      // CUDART_VERSION of the linked runtime, e.g. 13000
int64_t cublas_version();   // cublasLtGetVersion(), e.g. 130100; needs no handle or device

}  // namespace pkc::gpu
