// cuda/registry/register_elementwise.cpp — CUDA kernel factories for the broadcasting
// element-wise ops (add, subtract, multiply, divide, maximum, minimum, power), comparisons and
// logical ops, where, negative, zeros_like, copy, and the reductions sum / mean / max / min,
// reduce_grad and sum_to_shape. Broadcast strides come from the CPU's broadcast_strides and
// reduction axes from its reduction_axes, so both backends read the attrs identically.
// dtypes: float32/float64 everywhere, int32/int64 where the CPU op takes integers; others are
// refused with TypeError naming the node (bool/int8/uint8 arithmetic stays on the CPU).
#include <cuda_runtime_api.h>

#include <algorithm>

#include "core/error.h"
#include "cuda/common/check.cuh"
#include "cuda/ops/elementwise.cuh"
#include "cuda/ops/reduce.cuh"
#include "cuda/registry/register_common.h"
#include "cuda/registry/slices.h"
#include "ops/elementwise.h"

namespace pkc::gpu {
namespace {

GpuBroadcast make_broadcast(const KernelArgs& a, const Shape& out, std::initializer_list<Shape> operands) {
  PKC_CHECK(out.size() <= static_cast<size_t>(kGpuMaxRank), Value, a.node, ": rank ", out.size(), " exceeds ",
            kGpuMaxRank);
  GpuBroadcast bc;
  bc.rank = static_cast<int>(out.size());
  for (size_t d = 0; d < out.size(); ++d) bc.dims[d] = out[d];
  int k = 0;
  for (const Shape& s : operands) {
    const std::vector<int64_t> st = broadcast_strides(s, out);
    for (size_t d = 0; d < st.size(); ++d) bc.stride[k][d] = st[d];
    ++k;
  }
  return bc;
}

// Calls f(T{}) for the dtypes the CUDA element-wise kernels are built for.
template <bool WithBool, typename F>
Kernel visit_gpu_dtype(DType dt, const KernelArgs& a, F&& f) {
  switch (dt) {
    case DType::float32: return f(float{});
    case DType::float64: return f(double{});
    case DType::int32: return f(int32_t{});
    case DType::int64: return f(int64_t{});
    case DType::bool_:
      if constexpr (WithBool) return f(bool{});
      break;
    default: break;
  }
  PKC_THROW(Type, a.node, ": dtype ", dtype_name(dt), " has no CUDA kernel for this op");
}

template <GpuBinary OP>
Kernel binary_factory(const KernelArgs& a) {
  return visit_gpu_dtype<false>(a.out[0].dtype, a, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    const T* x = a.in[0].ptr<T>();
    const T* y = a.in[1].ptr<T>();
    T* z = a.out[0].ptr<T>();
    const Shape out = a.out[0].shape;
    const GpuBroadcast bc = make_broadcast(a, out, {a.in[0].shape, a.in[1].shape});
    const int64_t n = numel(out);
    cudaStream_t s = kernel_stream(a);
    return [=] { launch_binary<T>(OP, x, y, z, n, bc, s); };
  });
}

template <GpuCompare C>
Kernel compare_factory(const KernelArgs& a) {
  return visit_gpu_dtype<true>(a.in[0].dtype, a, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    const T* x = a.in[0].ptr<T>();
    const T* y = a.in[1].ptr<T>();
    bool* z = a.out[0].ptr<bool>();
    const Shape out = a.out[0].shape;
    const GpuBroadcast bc = make_broadcast(a, out, {a.in[0].shape, a.in[1].shape});
    const int64_t n = numel(out);
    cudaStream_t s = kernel_stream(a);
    return [=] { launch_compare<T>(C, x, y, z, n, bc, s); };
  });
}

Kernel logical_not_factory(const KernelArgs& a) {
  const bool* x = a.in[0].ptr<bool>();
  bool* y = a.out[0].ptr<bool>();
  const int64_t n = a.in[0].numel();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_logical_not(x, y, n, s); };
}

Kernel where_factory(const KernelArgs& a) {
  return visit_gpu_dtype<false>(a.out[0].dtype, a, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    const bool* c = a.in[0].ptr<bool>();
    const T* x = a.in[1].ptr<T>();
    const T* y = a.in[2].ptr<T>();
    T* z = a.out[0].ptr<T>();
    const Shape out = a.out[0].shape;
    const GpuBroadcast bc = make_broadcast(a, out, {a.in[0].shape, a.in[1].shape, a.in[2].shape});
    const int64_t n = numel(out);
    cudaStream_t s = kernel_stream(a);
    return [=] { launch_where<T>(c, x, y, z, n, bc, s); };
  });
}

// negative(x) = x * -1 through the broadcast-scale kernel (exact for floats).
template <typename T>
Kernel negative_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const Shape sh = a.in[0].shape;
  const GpuBroadcast bc = make_broadcast(a, sh, {sh});
  const int64_t n = numel(sh);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_broadcast_scale<T>(x, T(-1), y, n, bc, s); };
}

Kernel zeros_like_factory(const KernelArgs& a) {
  void* y = a.out[0].data;
  const size_t bytes = a.out[0].nbytes();
  cudaStream_t s = kernel_stream(a);
  return [=] {
    if (bytes) PKC_CUDA_CHECK(cudaMemsetAsync(y, 0, bytes, s));
  };
}

Kernel copy_factory(const KernelArgs& a) {
  const void* x = a.in[0].data;
  void* y = a.out[0].data;
  const size_t bytes = a.in[0].nbytes();
  cudaStream_t s = kernel_stream(a);
  return [=] {
    if (bytes && x != y) PKC_CUDA_CHECK(cudaMemcpyAsync(y, x, bytes, cudaMemcpyDeviceToDevice, s));
  };
}

// ---- reductions
template <GpuReduce R>
Kernel reduce_factory(const KernelArgs& a) {
  return visit_gpu_dtype<false>(a.out[0].dtype, a, [&](auto tag) -> Kernel {
    using T = decltype(tag);
    if constexpr (R == GpuReduce::mean && !std::is_floating_point_v<T>) {
      PKC_THROW(Type, a.node, ": mean of an integer tensor");
    } else {
      const T* x = a.in[0].ptr<T>();
      T* y = a.out[0].ptr<T>();
      const Shape xs = a.in[0].shape;
      const DeviceSlices sl = device_slices(a, xs, reduction_axes(a.attrs, xs.size(), a.node));
      cudaStream_t s = kernel_stream(a);
      return [=] { launch_reduce<T>(R, x, y, sl.rows, sl.cols, sl.row_table(), sl.col_table(), s); };
    }
  });
}

// reduce_grad(dy, x; axis, keepdims, mean): dx = dy spread over x's shape (times 1/count).
template <typename T>
Kernel reduce_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  const Shape xs = a.in[1].shape;
  Shape kept = xs;
  for (int ax : reduction_axes(a.attrs, xs.size(), a.node)) kept[ax] = 1;
  const int64_t ny = a.in[0].numel();
  const T scale = a.attrs.i("mean", 0) && ny ? T(ny) / T(numel(xs)) : T(1);
  const GpuBroadcast bc = make_broadcast(a, xs, {kept});
  const int64_t n = numel(xs);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_broadcast_scale<T>(dy, scale, dx, n, bc, s); };
}

// sum_to_shape(x, like): sum over the leading dims x has and `like` lacks, and over the dims
// where `like` is 1 and x is not. Output elements come out in memory order of the kept dims.
template <typename T>
Kernel sum_to_shape_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const Shape xs = a.in[0].shape, ys = a.out[0].shape;
  const size_t off = xs.size() - ys.size();
  std::vector<int> red;
  for (size_t d = 0; d < xs.size(); ++d)
    if (d < off || (ys[d - off] == 1 && xs[d] != 1)) red.push_back(static_cast<int>(d));
  const DeviceSlices sl = device_slices(a, xs, red);
  const int64_t ny = a.out[0].numel();
  cudaStream_t s = kernel_stream(a);
  return [=] {
    if (sl.rows == ny) launch_reduce<T>(GpuReduce::sum, x, y, sl.rows, sl.cols, sl.row_table(), sl.col_table(), s);
    else if (ny) PKC_CUDA_CHECK(cudaMemsetAsync(y, 0, ny * sizeof(T), s));  // x is empty
  };
}

}  // namespace

void register_elementwise_kernels(std::vector<std::string>& done) {
  set_cuda_kernel("add", binary_factory<GpuBinary::add>, done);
  set_cuda_kernel("subtract", binary_factory<GpuBinary::sub>, done);
  set_cuda_kernel("multiply", binary_factory<GpuBinary::mul>, done);
  set_cuda_kernel("divide", binary_factory<GpuBinary::div>, done);
  set_cuda_kernel("maximum", binary_factory<GpuBinary::max>, done);
  set_cuda_kernel("minimum", binary_factory<GpuBinary::min>, done);
  set_cuda_kernel("power", binary_factory<GpuBinary::pow>, done);
  set_cuda_kernel("equal", compare_factory<GpuCompare::eq>, done);
  set_cuda_kernel("not_equal", compare_factory<GpuCompare::ne>, done);
  set_cuda_kernel("greater", compare_factory<GpuCompare::gt>, done);
  set_cuda_kernel("greater_equal", compare_factory<GpuCompare::ge>, done);
  set_cuda_kernel("less", compare_factory<GpuCompare::lt>, done);
  set_cuda_kernel("less_equal", compare_factory<GpuCompare::le>, done);
  set_cuda_kernel("logical_and", compare_factory<GpuCompare::land>, done);
  set_cuda_kernel("logical_or", compare_factory<GpuCompare::lor>, done);
  set_cuda_kernel("logical_xor", compare_factory<GpuCompare::lxor>, done);
  set_cuda_kernel("logical_not", logical_not_factory, done);
  set_cuda_kernel("where", where_factory, done);
  set_cuda_kernel("negative", PKC_GPU_FLOAT_KERNEL(negative_kernel), done);
  set_cuda_kernel("zeros_like", zeros_like_factory, done);
  set_cuda_kernel("copy", copy_factory, done);
  set_cuda_kernel("sum", reduce_factory<GpuReduce::sum>, done);
  set_cuda_kernel("mean", reduce_factory<GpuReduce::mean>, done);
  set_cuda_kernel("max", reduce_factory<GpuReduce::max>, done);
  set_cuda_kernel("min", reduce_factory<GpuReduce::min>, done);
  set_cuda_kernel("reduce_grad", PKC_GPU_FLOAT_KERNEL(reduce_grad_kernel), done);
  set_cuda_kernel("sum_to_shape", PKC_GPU_FLOAT_KERNEL(sum_to_shape_kernel), done);
}

}  // namespace pkc::gpu
