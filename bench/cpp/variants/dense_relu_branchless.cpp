// Lab variant (not production): dense GEMM + a bias+ReLU epilogue written branch-free and
// vectorizable (one loop per activation, restrict pointers, std::max), to measure what the
// production `dense` epilogue could gain. Promote into csrc/ops/dense.cpp or delete.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

#include "ops/blas.h"

namespace {

void bias_relu(float* __restrict y, const float* __restrict b, int M, int N) {
  for (int r = 0; r < M; ++r) {
    float* __restrict yr = y + static_cast<int64_t>(r) * N;
    for (int j = 0; j < N; ++j) yr[j] = std::max(yr[j] + b[j], 0.f);
  }
}

void BM_variant_dense_relu_branchless(benchmark::State& st) {
  const int M = static_cast<int>(st.range(0)), K = static_cast<int>(st.range(1)), N = static_cast<int>(st.range(2));
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> x(static_cast<size_t>(M) * K), w(static_cast<size_t>(K) * N), b(N), y(static_cast<size_t>(M) * N);
  for (auto* v : {&x, &w, &b})
    for (float& e : *v) e = u(gen);
  for (auto _ : st) {
    pkc::sgemm(false, false, M, N, K, 1.f, x.data(), K, w.data(), N, 0.f, y.data(), N);
    bias_relu(y.data(), b.data(), M, N);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  st.counters["GFLOPS"] = benchmark::Counter(2.0 * M * N * K * 1e-9 * static_cast<double>(st.iterations()),
                                             benchmark::Counter::kIsRate);
}

}  // namespace

BENCHMARK(BM_variant_dense_relu_branchless)
    ->ArgNames({"M", "K", "N"})
    ->Args({32, 16, 32})
    ->Args({128, 784, 512})
    ->Args({128, 512, 512})
    ->Args({256, 1024, 4096})
    ->Args({256, 4096, 1024});
