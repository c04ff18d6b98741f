// cuda/ops/elementwise.cu — kernels for elementwise.cuh: one grid-stride kernel per op family,
// the op fixed at compile time; each output index is decomposed over the output dims to find
// the operands' offsets. Same formulas and NaN rules as the CPU (max/min propagate NaN).
#include "cuda/ops/elementwise.cuh"

#include <stdexcept>
#include <string>
#include <type_traits>

#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"

namespace pkc::gpu {
namespace {

// Offsets of operands 0..K-1 for output index o.
template <int K>
__device__ __forceinline__ void operand_offsets(const GpuBroadcast& bc, int64_t o, int64_t (&off)[K]) {
  for (int k = 0; k < K; ++k) off[k] = 0;
  for (int d = bc.rank - 1; d >= 0; --d) {
    const int64_t idx = o % bc.dims[d];
    o /= bc.dims[d];
    for (int k = 0; k < K; ++k) off[k] += idx * bc.stride[k][d];
  }
}

template <GpuBinary OP, typename T>
__device__ __forceinline__ T bin_apply(T a, T b) {
  if constexpr (OP == GpuBinary::add) return a + b;
  else if constexpr (OP == GpuBinary::sub) return a - b;
  else if constexpr (OP == GpuBinary::mul) return a * b;
  else if constexpr (OP == GpuBinary::max) return a > b || a != a ? a : b;  // NaN propagates
  else if constexpr (OP == GpuBinary::min) return a < b || a != a ? a : b;
  else if constexpr (OP == GpuBinary::pow) {
    if constexpr (std::is_same_v<T, float>) return powf(a, b);
    else return static_cast<T>(pow(static_cast<double>(a), static_cast<double>(b)));
  } else return a / b;
}

template <GpuCompare C, typename T>
__device__ __forceinline__ bool cmp_apply(T a, T b) {
  if constexpr (C == GpuCompare::eq) return a == b;
  else if constexpr (C == GpuCompare::ne) return a != b;
  else if constexpr (C == GpuCompare::gt) return a > b;
  else if constexpr (C == GpuCompare::ge) return a >= b;
  else if constexpr (C == GpuCompare::lt) return a < b;
  else if constexpr (C == GpuCompare::le) return a <= b;
  else if constexpr (C == GpuCompare::land) return a && b;
  else if constexpr (C == GpuCompare::lor) return a || b;
  else return static_cast<bool>(a) != static_cast<bool>(b);
}

template <GpuBinary OP, typename T>
__global__ void binary_kernel(const T* a, const T* b, T* out, int64_t n, GpuBroadcast bc) {
  PKC_GRID_STRIDE_LOOP(o, n) {
    int64_t off[2];
    operand_offsets<2>(bc, o, off);
    out[o] = bin_apply<OP, T>(a[off[0]], b[off[1]]);
  }
}

template <GpuCompare C, typename T>
__global__ void compare_kernel(const T* a, const T* b, bool* out, int64_t n, GpuBroadcast bc) {
  PKC_GRID_STRIDE_LOOP(o, n) {
    int64_t off[2];
    operand_offsets<2>(bc, o, off);
    out[o] = cmp_apply<C, T>(a[off[0]], b[off[1]]);
  }
}

__global__ void logical_not_kernel(const bool* x, bool* y, int64_t n) {
  PKC_GRID_STRIDE_LOOP(i, n) { y[i] = !x[i]; }
}

template <typename T>
__global__ void where_kernel(const bool* c, const T* a, const T* b, T* out, int64_t n, GpuBroadcast bc) {
  PKC_GRID_STRIDE_LOOP(o, n) {
    int64_t off[3];
    operand_offsets<3>(bc, o, off);
    out[o] = c[off[0]] ? a[off[1]] : b[off[2]];
  }
}

template <typename T>
__global__ void broadcast_scale_kernel(const T* a, T scale, T* out, int64_t n, GpuBroadcast bc) {
  PKC_GRID_STRIDE_LOOP(o, n) {
    int64_t off[1];
    operand_offsets<1>(bc, o, off);
    out[o] = a[off[0]] * scale;
  }
}

void check_launch(const char* op, int64_t n, const GpuBroadcast& bc, std::initializer_list<const void*> ptrs) {
  if (n < 0) throw std::invalid_argument(std::string(op) + ": negative size " + std::to_string(n));
  if (bc.rank < 0 || bc.rank > kGpuMaxRank)
    throw std::invalid_argument(std::string(op) + ": rank " + std::to_string(bc.rank) + " exceeds " +
                                std::to_string(kGpuMaxRank));
  int64_t count = 1;
  for (int d = 0; d < bc.rank; ++d) {
    if (bc.dims[d] < 0) throw std::invalid_argument(std::string(op) + ": negative dimension");
    count *= bc.dims[d];
  }
  if (count != n)
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(n) + " elements but the dims hold " +
                                std::to_string(count));
  if (n > 0)
    for (const void* p : ptrs)
      if (p == nullptr) throw std::invalid_argument(std::string(op) + ": null device pointer for a non-empty buffer");
}

#define PKC_BIN_CASE(OPV) \
  case OPV: binary_kernel<OPV, T><<<grid_size(n), kBlockSize, 0, stream>>>(a, b, out, n, bc); break;
#define PKC_CMP_CASE(CV) \
  case CV: compare_kernel<CV, T><<<grid_size(n), kBlockSize, 0, stream>>>(a, b, out, n, bc); break;

}  // namespace

template <typename T>
void launch_binary(GpuBinary op, const T* a, const T* b, T* out, int64_t n, const GpuBroadcast& bc,
                   cudaStream_t stream) {
  check_launch("binary op", n, bc, {a, b, out});
  if (n == 0) return;
  switch (op) {
    PKC_BIN_CASE(GpuBinary::add)
    PKC_BIN_CASE(GpuBinary::sub)
    PKC_BIN_CASE(GpuBinary::mul)
    PKC_BIN_CASE(GpuBinary::div)
    PKC_BIN_CASE(GpuBinary::max)
    PKC_BIN_CASE(GpuBinary::min)
    PKC_BIN_CASE(GpuBinary::pow)
    default: throw std::invalid_argument("binary op: unknown op id");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_compare(GpuCompare op, const T* a, const T* b, bool* out, int64_t n, const GpuBroadcast& bc,
                    cudaStream_t stream) {
  check_launch("comparison", n, bc, {a, b, out});
  if (n == 0) return;
  switch (op) {
    PKC_CMP_CASE(GpuCompare::eq)
    PKC_CMP_CASE(GpuCompare::ne)
    PKC_CMP_CASE(GpuCompare::gt)
    PKC_CMP_CASE(GpuCompare::ge)
    PKC_CMP_CASE(GpuCompare::lt)
    PKC_CMP_CASE(GpuCompare::le)
    PKC_CMP_CASE(GpuCompare::land)
    PKC_CMP_CASE(GpuCompare::lor)
    PKC_CMP_CASE(GpuCompare::lxor)
    default: throw std::invalid_argument("comparison: unknown op id");
  }
  PKC_CUDA_CHECK_LAUNCH();
}

void launch_logical_not(const bool* x, bool* y, int64_t n, cudaStream_t stream) {
  if (n < 0) throw std::invalid_argument("logical_not: negative size");
  if (n == 0) return;
  if (x == nullptr || y == nullptr) throw std::invalid_argument("logical_not: null device pointer");
  logical_not_kernel<<<grid_size(n), kBlockSize, 0, stream>>>(x, y, n);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_where(const bool* cond, const T* a, const T* b, T* out, int64_t n, const GpuBroadcast& bc,
                  cudaStream_t stream) {
  check_launch("where", n, bc, {cond, a, b, out});
  if (n == 0) return;
  where_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(cond, a, b, out, n, bc);
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_broadcast_scale(const T* a, T scale, T* out, int64_t n, const GpuBroadcast& bc, cudaStream_t stream) {
  check_launch("broadcast", n, bc, {a, out});
  if (n == 0) return;
  broadcast_scale_kernel<T><<<grid_size(n), kBlockSize, 0, stream>>>(a, scale, out, n, bc);
  PKC_CUDA_CHECK_LAUNCH();
}

#define PKC_EW_NUMERIC(T)                                                                                   \
  template void launch_binary<T>(GpuBinary, const T*, const T*, T*, int64_t, const GpuBroadcast&, cudaStream_t); \
  template void launch_compare<T>(GpuCompare, const T*, const T*, bool*, int64_t, const GpuBroadcast&,          \
                                  cudaStream_t);                                                               \
  template void launch_where<T>(const bool*, const T*, const T*, T*, int64_t, const GpuBroadcast&, cudaStream_t);
PKC_EW_NUMERIC(float)
PKC_EW_NUMERIC(double)
PKC_EW_NUMERIC(int32_t)
PKC_EW_NUMERIC(int64_t)
template void launch_compare<bool>(GpuCompare, const bool*, const bool*, bool*, int64_t, const GpuBroadcast&,
                                   cudaStream_t);
template void launch_broadcast_scale<float>(const float*, float, float*, int64_t, const GpuBroadcast&, cudaStream_t);
template void launch_broadcast_scale<double>(const double*, double, double*, int64_t, const GpuBroadcast&,
                                             cudaStream_t);

}  // namespace pkc::gpu
