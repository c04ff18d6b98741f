// GEMM+bias+ReLU: the registered `dense` op (CPU kernel factory, activation relu, with bias)
// against scipy_cblas_sgemm alone on the same shapes, both reported as GFLOP/s (2*M*N*K per
// iteration) so the cost of the epilogue is the ratio. Args: M, K, N, BLAS threads.
// BM_gemm_threads: pkc::gemm (OpenBLAS at 1 thread, large products split over the engine pool)
// at 1 and 2 engine threads, to place the split threshold and to compare with BM_sgemm thr:2.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <random>

#include "core/parallel.h"
#include "ops/blas.h"
#include "ops/registry.h"

namespace {

pkc::Tensor random_tensor(const pkc::Shape& shape, unsigned seed) {
  pkc::Tensor t = pkc::Tensor::empty(shape, pkc::DType::float32);
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  for (int64_t i = 0; i < t.numel(); ++i) t.ptr<float>()[i] = u(gen);
  return t;
}

// Sets the BLAS thread count for one benchmark and restores the single-threaded default.
struct BlasThreads {
  explicit BlasThreads(int n) { pkc::blas_set_num_threads(n); }
  ~BlasThreads() { pkc::blas_set_num_threads(1); }
};

void set_flops(benchmark::State& st, int64_t M, int64_t K, int64_t N) {
  st.counters["GFLOPS"] = benchmark::Counter(2.0 * M * N * K * 1e-9 * static_cast<double>(st.iterations()),
                                             benchmark::Counter::kIsRate);
}

void BM_dense_relu(benchmark::State& st) {
  const int64_t M = st.range(0), K = st.range(1), N = st.range(2);
  BlasThreads threads(static_cast<int>(st.range(3)));
  pkc::Tensor x = random_tensor({M, K}, 1), w = random_tensor({K, N}, 2), b = random_tensor({N}, 3);
  pkc::Tensor y = pkc::Tensor::empty({M, N}, pkc::DType::float32);
  pkc::Attrs attrs;
  attrs.set("activation", std::string("relu"));
  const std::string node = "dense";
  pkc::KernelArgs args{{x, w, b}, {y}, attrs, node, nullptr};
  pkc::Kernel k = pkc::OpRegistry::instance().get("dense").kernel[static_cast<int>(pkc::DeviceType::cpu)](args);
  for (auto _ : st) {
    k();
    benchmark::DoNotOptimize(y.data);
    benchmark::ClobberMemory();
  }
  set_flops(st, M, K, N);
}

void BM_sgemm(benchmark::State& st) {
  const int M = static_cast<int>(st.range(0)), K = static_cast<int>(st.range(1)), N = static_cast<int>(st.range(2));
  BlasThreads threads(static_cast<int>(st.range(3)));
  pkc::Tensor x = random_tensor({M, K}, 1), w = random_tensor({K, N}, 2);
  pkc::Tensor y = pkc::Tensor::empty({M, N}, pkc::DType::float32);
  for (auto _ : st) {
    scipy_cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.f, x.ptr<float>(), K,
                      w.ptr<float>(), N, 0.f, y.ptr<float>(), N);
    benchmark::DoNotOptimize(y.data);
    benchmark::ClobberMemory();
  }
  set_flops(st, M, K, N);
}

// Sets the engine pool's thread count for one benchmark (the BLAS stays at 1) and restores 1.
struct EngineThreads {
  explicit EngineThreads(int n) { pkc::set_engine_threads(n); }
  ~EngineThreads() { pkc::set_engine_threads(1); }
};

void BM_gemm_threads(benchmark::State& st) {
  const int M = static_cast<int>(st.range(0)), K = static_cast<int>(st.range(1)), N = static_cast<int>(st.range(2));
  const bool ta = st.range(3) != 0, tb = st.range(4) != 0;
  EngineThreads threads(static_cast<int>(st.range(5)));
  pkc::Tensor a = random_tensor(ta ? pkc::Shape{K, M} : pkc::Shape{M, K}, 1);
  pkc::Tensor b = random_tensor(tb ? pkc::Shape{N, K} : pkc::Shape{K, N}, 2);
  pkc::Tensor c = pkc::Tensor::empty({M, N}, pkc::DType::float32);
  for (auto _ : st) {
    pkc::gemm<float>(ta, tb, M, N, K, 1.f, a.ptr<float>(), ta ? M : K, b.ptr<float>(), tb ? K : N, 0.f,
                     c.ptr<float>(), N);
    benchmark::DoNotOptimize(c.data);
    benchmark::ClobberMemory();
  }
  set_flops(st, M, K, N);
}

// {M, K, N, ta, tb}: small products around the split threshold, then the mlp step's GEMMs
// (forward, dW = x^T dz, dx = dz W^T, the 10-unit head), each at 1 and 2 engine threads.
void gemm_thread_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "K", "N", "ta", "tb", "thr"});
  for (auto s : std::vector<std::vector<int64_t>>{{32, 64, 64, 0, 0},     {64, 64, 64, 0, 0},
                                                  {64, 128, 64, 0, 0},    {128, 128, 128, 0, 0},
                                                  {64, 256, 128, 0, 0},   {128, 256, 256, 0, 0},
                                                  {128, 784, 512, 0, 0},  {128, 512, 512, 0, 0},
                                                  {128, 512, 10, 0, 0},   {784, 128, 512, 1, 0},
                                                  {512, 128, 512, 1, 0},  {128, 512, 512, 0, 1}})
    for (int64_t thr : {1, 2}) b->Args({s[0], s[1], s[2], s[3], s[4], thr});
  b->UseRealTime();
}

// {M, K, N, threads}: tiny, the two MLP layers, the two wide layers. Single-threaded runs use
// CPU time (robust on a shared machine); the 2-thread runs of the wide layers need wall time.
void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "K", "N", "thr"});
  for (auto s : std::vector<std::vector<int64_t>>{{32, 16, 32}, {128, 784, 512}, {128, 512, 512},
                                                  {256, 1024, 4096}, {256, 4096, 1024}})
    b->Args({s[0], s[1], s[2], 1});
}
void shapes_2_threads(benchmark::internal::Benchmark* b) {
  b->ArgNames({"M", "K", "N", "thr"})->Args({256, 1024, 4096, 2})->Args({256, 4096, 1024, 2})->UseRealTime();
}

}  // namespace

BENCHMARK(BM_dense_relu)->Apply(shapes);
BENCHMARK(BM_sgemm)->Apply(shapes);
BENCHMARK(BM_dense_relu)->Apply(shapes_2_threads);
BENCHMARK(BM_sgemm)->Apply(shapes_2_threads);
BENCHMARK(BM_gemm_threads)->Apply(gemm_thread_shapes);
