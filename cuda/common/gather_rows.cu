// cuda/common/gather_rows.cu — definition of launch_gather_rows: one block per destination row,
// copying 4-byte words when row, stride and pointers allow it and bytes otherwise.
#include "cuda/common/gather_rows.cuh"

#include <algorithm>

#include "cuda/common/check.cuh"

namespace pkc::gpu {
namespace {

template <typename W>
__global__ void gather_rows_kernel(W* dst, const char* src, const int64_t* rows, int64_t n, int64_t row_words,
                                   int64_t src_stride) {
  for (int64_t r = blockIdx.x; r < n; r += gridDim.x) {
    const W* s = reinterpret_cast<const W*>(src + rows[r] * src_stride);
    W* d = dst + r * row_words;
    for (int64_t i = threadIdx.x; i < row_words; i += blockDim.x) d[i] = s[i];
  }
}

}  // namespace

void launch_gather_rows(void* dst, const void* src, const int64_t* rows, int64_t n, size_t row_bytes,
                        int64_t src_stride, cudaStream_t stream) {
  if (n <= 0 || row_bytes == 0) return;
  const unsigned blocks = static_cast<unsigned>(std::min<int64_t>(n, kMaxGridBlocks));
  const bool words = row_bytes % 4 == 0 && src_stride % 4 == 0 && reinterpret_cast<uintptr_t>(src) % 4 == 0 &&
                     reinterpret_cast<uintptr_t>(dst) % 4 == 0;
  if (words) {
    const int64_t w = static_cast<int64_t>(row_bytes / 4);
    const int threads = static_cast<int>(std::clamp<int64_t>(w, 32, 256));
    gather_rows_kernel<uint32_t><<<blocks, threads, 0, stream>>>(static_cast<uint32_t*>(dst),
                                                                 static_cast<const char*>(src), rows, n, w, src_stride);
  } else {
    const int64_t w = static_cast<int64_t>(row_bytes);
    const int threads = static_cast<int>(std::clamp<int64_t>(w, 32, 256));
    gather_rows_kernel<unsigned char><<<blocks, threads, 0, stream>>>(
        static_cast<unsigned char*>(dst), static_cast<const char*>(src), rows, n, w, src_stride);
  }
  PKC_CUDA_CHECK_LAUNCH();
}

}  // namespace pkc::gpu
