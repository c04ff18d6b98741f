// cuda/ops/embedding.cu — kernels for embedding.cuh. The gradient: (1) read + validate indices
// into int64 keys with their positions, (2) cub::DeviceRadixSort::SortPairs (stable, so equal
// keys keep position order), (3) every segment head sums its segment column by column. The
// only atomic is an integer atomicMin on the bad-position flag (order-independent).
#include "cuda/ops/embedding.cuh"

#include <cub/device/device_radix_sort.cuh>

#include <stdexcept>
#include <string>
#include <type_traits>

#include "cuda/common/allocator.cuh"
#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

// Index i as a row number, or -1 when it is out of range (as the CPU's index_at decides).
__device__ __forceinline__ int64_t read_index(const void* p, GpuIndexType t, int64_t i, int64_t V) {
  switch (t) {
    case GpuIndexType::int32: {
      const int64_t r = static_cast<const int32_t*>(p)[i];
      return r >= 0 && r < V ? r : -1;
    }
    case GpuIndexType::int64: {
      const int64_t r = static_cast<const int64_t*>(p)[i];
      return r >= 0 && r < V ? r : -1;
    }
    case GpuIndexType::uint8: {
      const int64_t r = static_cast<const uint8_t*>(p)[i];
      return r < V ? r : -1;
    }
    case GpuIndexType::float32: {
      const float r = static_cast<const float*>(p)[i];
      return isfinite(r) && r > -1.f && r < static_cast<float>(V) ? static_cast<int64_t>(r) : -1;
    }
    default: {
      const double r = static_cast<const double*>(p)[i];
      return isfinite(r) && r > -1.0 && r < static_cast<double>(V) ? static_cast<int64_t>(r) : -1;
    }
  }
}

__device__ __forceinline__ void flag_bad(int64_t* bad, int64_t i) {
  atomicMin(reinterpret_cast<unsigned long long*>(bad), static_cast<unsigned long long>(i));
}

__global__ void init_flag_kernel(int64_t* bad, int64_t n) { *bad = n; }

template <typename T>
__global__ void gather_kernel(const void* idx, GpuIndexType t, int64_t n, const T* table, int64_t V, int64_t D, T* y,
                              int64_t* bad) {
  PKC_GRID_STRIDE_LOOP(k, n * D) {
    const int64_t i = k / D, j = k % D;
    const int64_t r = read_index(idx, t, i, V);
    if (r < 0) {
      if (j == 0) flag_bad(bad, i);
      y[k] = T(0);
    } else {
      y[k] = table[r * D + j];
    }
  }
}

// keys[i] = row of index i (V for a bad index, sorted last and skipped), pos[i] = i. Unsigned
// keys: the radix sort then needs no sign handling within the [0, key_bits) range it sorts on.
__global__ void keys_kernel(const void* idx, GpuIndexType t, int64_t n, int64_t V, uint64_t* keys, int64_t* pos,
                            int64_t* bad) {
  PKC_GRID_STRIDE_LOOP(i, n) {
    const int64_t r = read_index(idx, t, i, V);
    if (r < 0) flag_bad(bad, i);
    keys[i] = static_cast<uint64_t>(r < 0 ? V : r);
    pos[i] = i;
  }
}

template <typename T>
__global__ void segment_sum_kernel(const T* dy, const uint64_t* keys, const int64_t* pos, int64_t n, int64_t V,
                                   int64_t D, T* dtable) {
  PKC_GRID_STRIDE_LOOP(k, n * D) {
    const int64_t s = k / D, j = k % D;
    const uint64_t key = keys[s];
    if (key >= static_cast<uint64_t>(V) || (s > 0 && keys[s - 1] == key)) continue;  // not a segment head, or a bad index
    T sum = T(0);
    for (int64_t e = s; e < n && keys[e] == key; ++e) sum += dy[pos[e] * D + j];
    dtable[key * D + j] = sum;
  }
}

int key_bits(int64_t V) {  // bits needed for keys in [0, V]
  int b = 1;
  while (b < 63 && (int64_t(1) << b) <= V) ++b;
  return b;
}

void check_args(const char* op, int64_t n, int64_t V, int64_t D, std::initializer_list<const void*> ptrs) {
  if (n < 0 || V < 0 || D < 0) throw std::invalid_argument(std::string(op) + ": negative size");
  if (n > 0 && D > 0)
    for (const void* p : ptrs)
      if (p == nullptr) throw std::invalid_argument(std::string(op) + ": null device pointer for a non-empty buffer");
}

// A stream-ordered scratch block from the caching allocator.
struct Scratch {
  void* p = nullptr;
  Scratch(size_t bytes, int device) : p(device_allocate(bytes, device)) {}
  ~Scratch() {
    try {
      device_release(p);
    } catch (...) {
    }
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
};

}  // namespace

template <typename T>
void launch_embedding(const void* indices, GpuIndexType itype, int64_t n, const T* table, int64_t V, int64_t D,
                      T* y, int64_t* bad, cudaStream_t stream) {
  check_args("embedding", n, V, D, {indices, y});
  if (bad == nullptr) throw std::invalid_argument("embedding: null error flag");
  init_flag_kernel<<<1, 1, 0, stream>>>(bad, n);
  PKC_CUDA_CHECK_LAUNCH();
  if (n == 0 || D == 0) return;
  if (V > 0 && table == nullptr) throw std::invalid_argument("embedding: null table pointer");
  gather_kernel<T><<<grid_size(n * D), kBlockSize, 0, stream>>>(indices, itype, n, table, V, D, y, bad);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_embedding_grad(const T* dy, const void* indices, GpuIndexType itype, int64_t n, int64_t V, int64_t D,
                           T* dtable, int64_t* bad, int device, cudaStream_t stream) {
  check_args("embedding_grad", n, V, D, {dy, indices});
  if (bad == nullptr) throw std::invalid_argument("embedding_grad: null error flag");
  if (V > 0 && D > 0 && dtable == nullptr) throw std::invalid_argument("embedding_grad: null gradient pointer");
  init_flag_kernel<<<1, 1, 0, stream>>>(bad, n);
  PKC_CUDA_CHECK_LAUNCH();
  if (V > 0 && D > 0) PKC_CUDA_CHECK(cudaMemsetAsync(dtable, 0, sizeof(T) * V * D, stream));
  if (n == 0) return;
  const size_t key_bytes = sizeof(uint64_t) * static_cast<size_t>(n);
  Scratch keys_in(key_bytes, device), keys_out(key_bytes, device), pos_in(key_bytes, device),
      pos_out(key_bytes, device);
  auto* ki = static_cast<uint64_t*>(keys_in.p);
  auto* ko = static_cast<uint64_t*>(keys_out.p);
  auto* pi = static_cast<int64_t*>(pos_in.p);
  auto* po = static_cast<int64_t*>(pos_out.p);
  keys_kernel<<<grid_size(n), kBlockSize, 0, stream>>>(indices, itype, n, V, ki, pi, bad);
  PKC_CUDA_CHECK_LAUNCH();
  size_t temp_bytes = 0;
  const int bits = key_bits(V);
  PKC_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, ki, ko, pi, po, n, 0, bits, stream));
  Scratch temp(temp_bytes, device);
  PKC_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.p, temp_bytes, ki, ko, pi, po, n, 0, bits, stream));
  if (D == 0) return;
  segment_sum_kernel<T><<<grid_size(n * D), kBlockSize, 0, stream>>>(dy, ko, po, n, V, D, dtable);
  PKC_CUDA_CHECK_LAUNCH();
}  // scratch blocks go back to the free list here; later work on `stream` is ordered after the sort

template void launch_embedding<float>(const void*, GpuIndexType, int64_t, const float*, int64_t, int64_t, float*,
                                      int64_t*, cudaStream_t);
template void launch_embedding<double>(const void*, GpuIndexType, int64_t, const double*, int64_t, int64_t, double*,
                                       int64_t*, cudaStream_t);
template void launch_embedding_grad<float>(const float*, const void*, GpuIndexType, int64_t, int64_t, int64_t, float*,
                                           int64_t*, int, cudaStream_t);
template void launch_embedding_grad<double>(const double*, const void*, GpuIndexType, int64_t, int64_t, int64_t,
                                            double*, int64_t*, int, cudaStream_t);

}  // namespace pkc::gpu
