// pkc_bench entry point: pins the BLAS to one thread (benchmarks that want more set it
// themselves and restore 1), then hands over to Google Benchmark. No benchmarks live here.
#include <benchmark/benchmark.h>

#include "ops/blas.h"

int main(int argc, char** argv) {
  pkc::blas_set_num_threads(1);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
