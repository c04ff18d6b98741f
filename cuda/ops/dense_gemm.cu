// cuda/ops/dense_gemm.cu — the row-major GEMM of the Dense family on cuBLASLt, plus the bias /
// activation passes around it. Row-major C = A B is computed as column-major C^T = B^T A^T, so
// the operands swap and the bias (one value per output feature) is the epilogue's row vector.
// One cuBLASLt handle and 32 MiB workspace per device, created on first use, never freed; the
// descriptors and the heuristic's algorithm are cached per call signature (GemmPlan below), so a
// step loop pays for cublasLtMatmulAlgoGetHeuristic once per shape, not once per call.
#include <cublasLt.h>

#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <unordered_map>

#include "cuda/common/allocator.cuh"
#include "cuda/common/check.cuh"
#include "cuda/common/kernel.cuh"
#include "cuda/common/stream.cuh"
#include "cuda/ops/act_math.cuh"
#include "cuda/ops/dense.cuh"

namespace pkc::gpu {
namespace {

constexpr size_t kWorkspaceBytes = size_t(32) << 20;

struct LtContext {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
};

LtContext& lt_context(int device) {
  static std::mutex mu;
  static LtContext contexts[kMaxDevices];
  std::lock_guard<std::mutex> lock(mu);
  LtContext& c = contexts[device];
  if (c.handle == nullptr) {
    PKC_CUBLAS_CHECK(cublasLtCreate(&c.handle));
    c.workspace = device_allocate(kWorkspaceBytes, device);
  }
  return c;
}

// Everything that decides the descriptors and the algorithm of one GEMM. Pointer alignments
// are part of it because the heuristic may pick kernels that need aligned operands (it is told
// the actual alignments through the MIN_ALIGNMENT preferences).
struct GemmKey {
  int device, dtype, compute, epilogue, ta, tb;
  int64_t M, N, K, lda, ldb, ldc;
  int align_a, align_b, align_c, align_bias;
  bool operator==(const GemmKey& o) const { return std::memcmp(this, &o, sizeof(GemmKey)) == 0; }
};
static_assert(std::has_unique_object_representations_v<GemmKey>, "GemmKey is compared bytewise");

struct GemmKeyHash {
  size_t operator()(const GemmKey& k) const {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(&k);
    size_t h = 1469598103934665603ull;  // FNV-1a over the (padding-free) bytes
    for (size_t i = 0; i < sizeof(GemmKey); ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
  }
};

// The cuBLASLt descriptors and chosen algorithm of one GemmKey. The bias pointer is the only
// per-call attribute; `mu` keeps setting it and enqueueing the matmul atomic per plan.
struct GemmPlan {
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
  std::mutex mu;
  GemmPlan() = default;
  GemmPlan(const GemmPlan&) = delete;
  GemmPlan& operator=(const GemmPlan&) = delete;
  ~GemmPlan() {
    if (c) cublasLtMatrixLayoutDestroy(c);
    if (b) cublasLtMatrixLayoutDestroy(b);
    if (a) cublasLtMatrixLayoutDestroy(a);
    if (op) cublasLtMatmulDescDestroy(op);
  }
};

// Bounded: a program has a handful of GEMM shapes; a workload that keeps producing new ones
// (e.g. variable batch sizes) just rebuilds plans after the cache is cleared.
constexpr size_t kMaxGemmPlans = 1024;

int alignment_of(const void* p) {
  const uintptr_t v = reinterpret_cast<uintptr_t>(p);
  int a = 256;
  while (a > 1 && (v % static_cast<uintptr_t>(a)) != 0) a >>= 1;
  return a;
}

// Creates the descriptors for `k` and asks the heuristic once.
std::shared_ptr<GemmPlan> build_plan(const GemmKey& k, cublasLtHandle_t handle) {
  auto plan = std::make_shared<GemmPlan>();
  const cudaDataType_t dt = k.dtype == 0 ? CUDA_R_32F : CUDA_R_64F;
  const cublasComputeType_t ct =
      k.compute == 0 ? CUBLAS_COMPUTE_32F : k.compute == 1 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_64F;
  PKC_CUBLAS_CHECK(cublasLtMatmulDescCreate(&plan->op, ct, dt));
  // Column-major view: C^T[N, M] = op(B)^T[N, K] @ op(A)^T[K, M]. Row-major X with row stride
  // ld is column-major X^T with the same ld, so the transposes carry over unchanged.
  const cublasOperation_t op_first = k.tb ? CUBLAS_OP_T : CUBLAS_OP_N;   // applies to B
  const cublasOperation_t op_second = k.ta ? CUBLAS_OP_T : CUBLAS_OP_N;  // applies to A
  PKC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan->op, CUBLASLT_MATMUL_DESC_TRANSA, &op_first, sizeof(op_first)));
  PKC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan->op, CUBLASLT_MATMUL_DESC_TRANSB, &op_second, sizeof(op_second)));
  if (k.epilogue != static_cast<int>(GemmEpilogue::none)) {
    const cublasLtEpilogue_t ep =
        k.epilogue == static_cast<int>(GemmEpilogue::bias) ? CUBLASLT_EPILOGUE_BIAS : CUBLASLT_EPILOGUE_RELU_BIAS;
    PKC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan->op, CUBLASLT_MATMUL_DESC_EPILOGUE, &ep, sizeof(ep)));
    PKC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan->op, CUBLASLT_MATMUL_DESC_BIAS_DATA_TYPE, &dt, sizeof(dt)));
  }
  // Stored (column-major) shapes, as rows x cols of storage.
  PKC_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan->a, dt, k.tb ? k.K : k.N, k.tb ? k.N : k.K, k.ldb));
  PKC_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan->b, dt, k.ta ? k.M : k.K, k.ta ? k.K : k.M, k.lda));
  PKC_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&plan->c, dt, k.N, k.M, k.ldc));
  cublasLtMatmulPreference_t pref = nullptr;
  PKC_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  std::unique_ptr<std::remove_pointer_t<cublasLtMatmulPreference_t>, cublasStatus_t (*)(cublasLtMatmulPreference_t)>
      pref_owner(pref, cublasLtMatmulPreferenceDestroy);
  PKC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                        &kWorkspaceBytes, sizeof(kWorkspaceBytes)));
  // cuBLASLt's "A" is our B and its "B" our A (the swap above).
  const uint32_t al_a = static_cast<uint32_t>(k.align_b), al_b = static_cast<uint32_t>(k.align_a),
                 al_c = static_cast<uint32_t>(k.align_c);
  PKC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, &al_a, sizeof(al_a)));
  PKC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES, &al_b, sizeof(al_b)));
  PKC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, &al_c, sizeof(al_c)));
  PKC_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES, &al_c, sizeof(al_c)));
  cublasLtMatmulHeuristicResult_t heur{};
  int found = 0;
  PKC_CUBLAS_CHECK(cublasLtMatmulAlgoGetHeuristic(handle, plan->op, plan->a, plan->b, plan->c, plan->c, pref, 1, &heur,
                                                  &found));
  if (found == 0)
    throw std::runtime_error("gemm: cuBLASLt found no algorithm for M=" + std::to_string(k.M) + " N=" +
                             std::to_string(k.N) + " K=" + std::to_string(k.K));
  plan->algo = heur.algo;
  return plan;
}

template <typename T>
__global__ void fill_zero_bias_kernel(T* C, const T* bias, int64_t M, int64_t N, int64_t ldc, bool relu) {
  PKC_GRID_STRIDE_LOOP(i, M * N) {
    const int64_t r = i / N, j = i % N;
    T v = bias ? bias[j] : T(0);
    C[r * ldc + j] = relu && v < T(0) ? T(0) : v;
  }
}

template <GpuAct A, typename T>
__global__ void bias_act_kernel(T* y, const T* b, int64_t n, int64_t cols) {
  PKC_GRID_STRIDE_LOOP(i, n) {
    const T v = b ? y[i] + b[i % cols] : y[i];
    y[i] = act_fwd<A>(v);
  }
}

// One thread per column walks the rows in order: reads are coalesced across the warp and the
// sum order is fixed, so the result does not depend on the launch shape.
template <GpuAct A, typename T>
__global__ void act_grad_colsum_kernel(const T* dy, const T* y, T* dz, T* db, int64_t rows, int64_t cols) {
  PKC_GRID_STRIDE_LOOP(j, cols) {
    T sum = T(0);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = r * cols + j;
      const T v = y ? act_bwd<A>(dy[i], y[i]) : dy[i];
      if (dz) dz[i] = v;
      sum += v;
    }
    if (db) db[j] = sum;
  }
}

std::shared_ptr<GemmPlan> gemm_plan(const GemmKey& k, const LtContext& ctx) {
  static std::mutex mu;
  static auto* plans = new std::unordered_map<GemmKey, std::shared_ptr<GemmPlan>, GemmKeyHash>();  // leaked: outlives exit
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = plans->find(k);
    if (it != plans->end()) return it->second;
  }
  std::shared_ptr<GemmPlan> plan = build_plan(k, ctx.handle);  // outside the lock: the heuristic is slow
  std::lock_guard<std::mutex> lock(mu);
  if (plans->size() >= kMaxGemmPlans) plans->clear();  // plans in use stay alive through their shared_ptr
  return plans->emplace(k, std::move(plan)).first->second;
}

void check_dims(const char* op, std::initializer_list<int64_t> dims) {
  for (int64_t d : dims)
    if (d < 0) throw std::invalid_argument(std::string(op) + ": negative dimension " + std::to_string(d));
}

}  // namespace

template <typename T>
void launch_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* B,
                 int64_t ldb, T* C, int64_t ldc, const T* bias, GemmEpilogue epilogue, cudaStream_t stream) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>, "gemm: float or double");
  check_dims("gemm", {M, N, K});
  if (M == 0 || N == 0) return;
  if (C == nullptr || (K > 0 && (A == nullptr || B == nullptr)))
    throw std::invalid_argument("gemm: null device pointer for a non-empty operand");
  if (epilogue != GemmEpilogue::none && bias == nullptr) throw std::invalid_argument("gemm: bias epilogue without a bias");
  if (ldc < N || lda < (ta ? M : K) || ldb < (tb ? K : N))
    throw std::invalid_argument("gemm: a leading dimension is smaller than its row length");
  if (K == 0) {  // cuBLASLt rejects k = 0; the product is zero, the epilogue still applies
    fill_zero_bias_kernel<T><<<grid_size(M * N), kBlockSize, 0, stream>>>(
        C, epilogue == GemmEpilogue::none ? nullptr : bias, M, N, ldc, epilogue == GemmEpilogue::bias_relu);
    PKC_CUDA_CHECK_LAUNCH();
    return;
  }
  const bool f32 = std::is_same_v<T, float>;
  const int compute = f32 ? (tf32_enabled() ? 1 : 0) : 2;
  const int device = current_device();
  const GemmKey key{device, f32 ? 0 : 1, compute, static_cast<int>(epilogue), ta ? 1 : 0, tb ? 1 : 0,
                    M, N, K, lda, ldb, ldc, alignment_of(A), alignment_of(B), alignment_of(C),
                    epilogue == GemmEpilogue::none ? 256 : alignment_of(bias)};
  LtContext& ctx = lt_context(device);
  std::shared_ptr<GemmPlan> plan = gemm_plan(key, ctx);
  const T one = T(1), zero = T(0);
  std::lock_guard<std::mutex> lock(plan->mu);
  if (epilogue != GemmEpilogue::none)
    PKC_CUBLAS_CHECK(cublasLtMatmulDescSetAttribute(plan->op, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  PKC_CUBLAS_CHECK(cublasLtMatmul(ctx.handle, plan->op, &one, B, plan->a, A, plan->b, &zero, C, plan->c, C, plan->c,
                                  &plan->algo, ctx.workspace, kWorkspaceBytes, stream));
}

template <typename T>
void launch_bias_act(GpuAct act, T* y, const T* b, int64_t rows, int64_t cols, cudaStream_t stream) {
  check_dims("bias_act", {rows, cols});
  const int64_t n = rows * cols;
  if (n == 0 || (b == nullptr && act == GpuAct::linear)) return;
  if (y == nullptr) throw std::invalid_argument("bias_act: null device pointer");
  PKC_ACT_SWITCH(act, A, bias_act_kernel<A, T><<<grid_size(n), kBlockSize, 0, stream>>>(y, b, n, cols))
  PKC_CUDA_CHECK_LAUNCH();
}

template <typename T>
void launch_bias_grad(const T* dz, T* db, int64_t rows, int64_t cols, cudaStream_t stream) {
  launch_act_grad_colsum<T>(GpuAct::linear, dz, nullptr, nullptr, db, rows, cols, stream);
}

template <typename T>
void launch_act_grad_colsum(GpuAct act, const T* dy, const T* y, T* dz, T* db, int64_t rows, int64_t cols,
                            cudaStream_t stream) {
  check_dims("dense_act_grad", {rows, cols});
  if (cols == 0) return;
  if ((rows > 0 && dy == nullptr) || (db == nullptr && dz == nullptr))
    throw std::invalid_argument("dense_act_grad: null device pointer");
  PKC_ACT_SWITCH(act, A,
                 act_grad_colsum_kernel<A, T><<<grid_size(cols), kBlockSize, 0, stream>>>(dy, y, dz, db, rows, cols))
  PKC_CUDA_CHECK_LAUNCH();
}

#define PKC_DENSE_INSTANTIATE(T)                                                                                  \
  template void launch_gemm<T>(bool, bool, int64_t, int64_t, int64_t, const T*, int64_t, const T*, int64_t, T*,  \
                               int64_t, const T*, GemmEpilogue, cudaStream_t);                                   \
  template void launch_bias_act<T>(GpuAct, T*, const T*, int64_t, int64_t, cudaStream_t);                         \
  template void launch_bias_grad<T>(const T*, T*, int64_t, int64_t, cudaStream_t);                                \
  template void launch_act_grad_colsum<T>(GpuAct, const T*, const T*, T*, T*, int64_t, int64_t, cudaStream_t);
PKC_DENSE_INSTANTIATE(float)
PKC_DENSE_INSTANTIATE(double)

}  // namespace pkc::gpu
