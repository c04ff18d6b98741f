// cuda/registry/register_dense.cpp — CUDA kernel factories for the Dense family and the fusable
// activations: dense (cuBLASLt GEMM, bias or bias+ReLU epilogue fused, other activations as one
// extra pass), dense_act_grad, bias_grad, dense_weight_grad, dense_input_grad, matmul,
// <act> and <act>_grad. Shapes were checked by the ops' shape rules; this file only maps them.
#include "cuda/common/stream.cuh"
#include "cuda/ops/activations.cuh"
#include "cuda/ops/dense.cuh"
#include "cuda/registry/register_common.h"

namespace pkc::gpu {
namespace {

GpuAct gpu_act(const KernelArgs& a) {
  // act_from_name's order is the GpuAct order; validate through the CPU's name table.
  static const char* const kNames[] = {"linear", "relu", "sigmoid", "tanh", "relu6", "hard_sigmoid", "exponential"};
  const std::string n = a.attrs.s("activation", "linear");
  for (int i = 0; i < 7; ++i)
    if (n == kNames[i] || (n.empty() && i == 0)) return static_cast<GpuAct>(i);
  PKC_THROW(Value, a.node, ": activation '", n, "' cannot be fused on CUDA");
}

template <typename T>
Kernel dense_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  const T* w = a.in[1].ptr<T>();
  const T* b = a.in.size() == 3 ? a.in[2].ptr<T>() : nullptr;
  T* y = a.out[0].ptr<T>();
  const int64_t K = a.in[1].dim(0), N = a.in[1].dim(1);
  const int64_t M = N ? a.out[0].numel() / N : 0;
  const GpuAct act = gpu_act(a);
  // Fuse what cuBLASLt can (bias, bias+ReLU); other activations run as one pass after the GEMM.
  GemmEpilogue ep = GemmEpilogue::none;
  GpuAct rest = act;
  if (b && act == GpuAct::relu) ep = GemmEpilogue::bias_relu, rest = GpuAct::linear;
  else if (b) ep = GemmEpilogue::bias;
  cudaStream_t s = kernel_stream(a);
  return [=] {
    launch_gemm<T>(false, false, M, N, K, x, K, w, N, y, N, b, ep, s);
    if (rest != GpuAct::linear) launch_bias_act<T>(rest, y, nullptr, M, N, s);
  };
}

template <typename T>
Kernel dense_act_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dz = a.out[0].ptr<T>();
  T* db = a.out[1].ptr<T>();
  const int64_t N = a.in[0].shape.back();
  const int64_t M = N ? a.in[0].numel() / N : 0;
  const GpuAct act = gpu_act(a);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_act_grad_colsum<T>(act, dy, y, dz, db, M, N, s); };
}

template <typename T>
Kernel bias_grad_kernel(const KernelArgs& a) {
  const T* dz = a.in[0].ptr<T>();
  T* db = a.out[0].ptr<T>();
  const int64_t N = a.in[0].shape.back();
  const int64_t M = N ? a.in[0].numel() / N : 0;
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_bias_grad<T>(dz, db, M, N, s); };
}

template <typename T>
Kernel weight_grad_kernel(const KernelArgs& a) {  // dW[K, N] = x^T dz
  const T* x = a.in[0].ptr<T>();
  const T* dz = a.in[1].ptr<T>();
  T* dw = a.out[0].ptr<T>();
  const int64_t K = a.in[0].shape.back(), N = a.in[1].shape.back();
  const int64_t M = N ? a.in[1].numel() / N : 0;
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_gemm<T>(true, false, K, N, M, x, K, dz, N, dw, N, nullptr, GemmEpilogue::none, s); };
}

template <typename T>
Kernel input_grad_kernel(const KernelArgs& a) {  // dx[M, K] = dz W^T
  const T* dz = a.in[0].ptr<T>();
  const T* w = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  const int64_t K = a.in[1].dim(0), N = a.in[1].dim(1);
  const int64_t M = N ? a.in[0].numel() / N : a.out[0].numel() / (K ? K : 1);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_gemm<T>(false, true, M, K, N, dz, N, w, N, dx, K, nullptr, GemmEpilogue::none, s); };
}

template <typename T>
Kernel matmul_kernel(const KernelArgs& a) {
  const bool ta = a.attrs.i("transpose_a", 0), tb = a.attrs.i("transpose_b", 0);
  const T* A = a.in[0].ptr<T>();
  const T* B = a.in[1].ptr<T>();
  T* C = a.out[0].ptr<T>();
  const int64_t M = a.out[0].dim(0), N = a.out[0].dim(1);
  const int64_t K = ta ? a.in[0].dim(0) : a.in[0].dim(1);
  const int64_t lda = a.in[0].dim(1), ldb = a.in[1].dim(1);
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_gemm<T>(ta, tb, M, N, K, A, lda, B, ldb, C, N, nullptr, GemmEpilogue::none, s); };
}

template <GpuAct A, typename T>
Kernel act_kernel(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  const int64_t n = a.in[0].numel();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_act<T>(A, x, y, n, s); };
}

template <GpuAct A, typename T>
Kernel act_grad_kernel(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  const int64_t n = a.in[0].numel();
  cudaStream_t s = kernel_stream(a);
  return [=] { launch_act_grad<T>(A, dy, y, dx, n, s); };
}

template <GpuAct A>
void set_act(const char* name, std::vector<std::string>& done) {
  KernelFactory fwd = [](const KernelArgs& a) -> Kernel {
    return kernel_dtype(a) == DType::float64 ? act_kernel<A, double>(a) : act_kernel<A, float>(a);
  };
  KernelFactory bwd = [](const KernelArgs& a) -> Kernel {
    return kernel_dtype(a) == DType::float64 ? act_grad_kernel<A, double>(a) : act_grad_kernel<A, float>(a);
  };
  set_cuda_kernel(name, fwd, done);
  set_cuda_kernel(std::string(name) + "_grad", bwd, done);
}

}  // namespace

void register_dense_kernels(std::vector<std::string>& done) {
  set_cuda_kernel("dense", PKC_GPU_FLOAT_KERNEL(dense_kernel), done);
  set_cuda_kernel("dense_act_grad", PKC_GPU_FLOAT_KERNEL(dense_act_grad_kernel), done);
  set_cuda_kernel("bias_grad", PKC_GPU_FLOAT_KERNEL(bias_grad_kernel), done);
  set_cuda_kernel("dense_weight_grad", PKC_GPU_FLOAT_KERNEL(weight_grad_kernel), done);
  set_cuda_kernel("dense_input_grad", PKC_GPU_FLOAT_KERNEL(input_grad_kernel), done);
  set_cuda_kernel("matmul", PKC_GPU_FLOAT_KERNEL(matmul_kernel), done);
  set_act<GpuAct::relu>("relu", done);
  set_act<GpuAct::sigmoid>("sigmoid", done);
  set_act<GpuAct::tanh>("tanh", done);
  set_act<GpuAct::relu6>("relu6", done);
  set_act<GpuAct::hard_sigmoid>("hard_sigmoid", done);
  set_act<GpuAct::exponential>("exponential", done);
}

}  // namespace pkc::gpu
