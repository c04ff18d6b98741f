// One fused training step of each bench/python workload through the production engine, and
// scipy_cblas_sgemm alone on exactly that step's GEMM sequence (forward, weight gradients, and
// input gradients for all but the first layer). Both report GFLOP/s over the same FLOP count, so
// their ratio is the engine's efficiency; "us_per_step" is thread CPU time per step.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <time.h>

#include <cmath>

#include <random>

#include "engine/program.h"
#include "core/parallel.h"
#include "ops/blas.h"

namespace {

using pkc::Attrs;
using pkc::DType;
using pkc::Shape;

struct Workload {
  const char* name;
  std::vector<int64_t> sizes;  // input, hidden..., output
  std::vector<std::string> acts;
  std::string head;  // "sigmoid", "softmax" or "linear"
  std::string loss;  // "mse", "bce" or "scce"
  std::string optimizer;
  int64_t batch;
};

const Workload kWorkloads[] = {
    {"tiny", {16, 32, 1}, {"relu"}, "sigmoid", "bce", "adam", 32},
    {"mlp", {784, 512, 512, 10}, {"relu", "relu"}, "softmax", "scce", "adam", 128},
    {"wide", {1024, 4096, 1024}, {"relu"}, "linear", "mse", "sgd", 256},
};

Attrs attr(const std::string& key, pkc::AttrValue v) {
  Attrs a;
  a.set(key, std::move(v));
  return a;
}

double thread_cpu_us() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e6 * static_cast<double>(ts.tv_sec) + 1e-3 * static_cast<double>(ts.tv_nsec);
}

// 2*M*N*K per GEMM of the step: forward, dW, and dx except for the first layer.
double step_flops(const Workload& w) {
  double f = 0;
  for (size_t l = 0; l + 1 < w.sizes.size(); ++l) {
    double mnk = static_cast<double>(w.batch) * w.sizes[l] * w.sizes[l + 1];
    f += 2 * mnk * (l == 0 ? 2 : 3);
  }
  return f;
}

struct Trainer {
  std::vector<float> x, y;
  std::unique_ptr<pkc::Program> program;

  explicit Trainer(const Workload& w) {
    const int64_t rows = w.batch * 8, in = w.sizes.front(), out = w.sizes.back();
    std::mt19937 gen(0);
    std::normal_distribution<float> n01;
    x.resize(rows * in);
    for (float& v : x) v = n01(gen);
    const bool sparse = w.loss == "scce";
    y.resize(rows * (sparse ? 1 : out));
    for (float& v : y) v = sparse ? static_cast<float>(gen() % out) : n01(gen) > 0 ? 1.f : 0.f;

    auto g = std::make_shared<pkc::Graph>();
    int xi = g->add_input("x", {-1, in}, DType::float32);
    int yi = g->add_input("y", sparse ? Shape{-1} : Shape{-1, out}, DType::float32);
    std::vector<std::shared_ptr<pkc::Variable>> vars;
    int h = xi;
    for (size_t l = 0; l + 1 < w.sizes.size(); ++l) {
      auto k = std::make_shared<pkc::Variable>("kernel", Shape{w.sizes[l], w.sizes[l + 1]}, DType::float32, true);
      auto b = std::make_shared<pkc::Variable>("bias", Shape{w.sizes[l + 1]}, DType::float32, true);
      float lim = std::sqrt(6.f / static_cast<float>(w.sizes[l] + w.sizes[l + 1]));
      std::uniform_real_distribution<float> u(-lim, lim);
      for (int64_t i = 0; i < k->numel(); ++i) k->value().ptr<float>()[i] = u(gen);
      vars.push_back(k);
      vars.push_back(b);
      bool last = l + 2 == w.sizes.size();
      // As the Python Dense emits them: softmax and sigmoid heads are their own ops (so the
      // crossentropy backward can go straight to the logits); hidden activations are fused.
      std::string act = last ? "linear" : w.acts[l];
      h = g->add_node("dense", {h, g->add_variable(k), g->add_variable(b)}, attr("activation", act), "dense")[0];
      if (last && w.head == "softmax") h = g->add_node("softmax", {h}, attr("axes", std::vector<int64_t>{-1}), "softmax")[0];
      if (last && w.head == "sigmoid") h = g->add_node("sigmoid", {h}, Attrs(), "sigmoid")[0];
    }
    const char* loss_op = sparse ? "sparse_categorical_crossentropy"
                          : w.loss == "bce" ? "binary_crossentropy" : "mean_squared_error";
    int per = g->add_node(loss_op, {yi, h}, Attrs(), "loss")[0];
    int loss = g->add_node("reduce_loss", {per}, Attrs(), "loss")[0];
    int bs = g->add_node("batch_size", {xi}, Attrs(), "bs")[0];
    auto state = [] { return std::make_shared<pkc::Variable>("state", Shape{2}, DType::float32, false); };
    g->add_node("metric_mean_update", {g->add_variable(state()), loss, bs}, Attrs(), "loss_tracker");
    if (w.name != std::string("wide")) {
      int acc = sparse ? g->add_node("sparse_categorical_accuracy", {yi, h}, Attrs(), "acc")[0]
                       : g->add_node("binary_accuracy", {yi, h}, attr("threshold", 0.5), "acc")[0];
      g->add_node("metric_mean_update", {g->add_variable(state()), acc}, Attrs(), "accuracy");
    }
    pkc::ProgramSpec spec;
    spec.mode = pkc::Mode::train;
    spec.graph = g;
    spec.feeds = {xi, yi};
    spec.loss = loss;
    spec.pack = std::make_shared<pkc::ParamPack>(vars);
    std::map<std::string, double> cfg = {{"learning_rate", 1e-3}};
    if (w.optimizer == "adam") cfg.insert({{"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7}, {"amsgrad", 0.0}});
    else cfg.insert({{"momentum", 0.0}, {"nesterov", 0.0}});
    spec.optimizer = std::make_shared<pkc::Optimizer>(w.optimizer, cfg);
    spec.batch_size = w.batch;
    program = std::make_unique<pkc::Program>(spec);
    auto host = [](float* d, const Shape& s) {
      pkc::HostArray a;
      a.data = d;
      a.shape = s;
      a.row_stride = static_cast<int64_t>((s.size() > 1 ? s[1] : 1) * sizeof(float));
      return a;
    };
    program->set_inputs({host(x.data(), {rows, in}), host(y.data(), sparse ? Shape{rows} : Shape{rows, out})});
  }
};

void BM_step(benchmark::State& st) {
  const Workload& w = kWorkloads[st.range(0)];
  pkc::set_cpu_threads(static_cast<int>(st.range(1)));  // as keras.config.set_num_threads
  Trainer t(w);
  const int64_t epoch = t.program->steps_per_epoch();
  int64_t step = 0;
  t.program->run(0, 1);
  const double t0 = thread_cpu_us();
  for (auto _ : st) {
    t.program->run(step, 1);
    step = (step + 1) % epoch;
  }
  st.SetLabel(w.name);
  st.counters["GFLOPS"] = benchmark::Counter(step_flops(w), benchmark::Counter::kIsIterationInvariantRate);
  st.counters["us_per_step"] = (thread_cpu_us() - t0) / static_cast<double>(st.iterations());
}

void BM_step_sgemm_only(benchmark::State& st) {
  const Workload& w = kWorkloads[st.range(0)];
  pkc::blas_set_num_threads(static_cast<int>(st.range(1)));
  const int B = static_cast<int>(w.batch);
  std::vector<std::vector<float>> acts, ws, dws;
  acts.emplace_back(static_cast<size_t>(B) * w.sizes[0], 0.5f);
  for (size_t l = 0; l + 1 < w.sizes.size(); ++l) {
    acts.emplace_back(static_cast<size_t>(B) * w.sizes[l + 1], 0.5f);
    ws.emplace_back(static_cast<size_t>(w.sizes[l]) * w.sizes[l + 1], 0.01f);
    dws.emplace_back(ws.back().size());
  }
  std::vector<std::vector<float>> deltas = acts;
  for (auto _ : st) {
    for (size_t l = 0; l + 1 < w.sizes.size(); ++l) {  // forward
      int K = static_cast<int>(w.sizes[l]), N = static_cast<int>(w.sizes[l + 1]);
      scipy_cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, B, N, K, 1.f, acts[l].data(), K, ws[l].data(), N,
                        0.f, acts[l + 1].data(), N);
    }
    for (size_t l = w.sizes.size() - 1; l-- > 0;) {  // backward
      int K = static_cast<int>(w.sizes[l]), N = static_cast<int>(w.sizes[l + 1]);
      scipy_cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, N, B, 1.f, acts[l].data(), K, deltas[l + 1].data(),
                        N, 0.f, dws[l].data(), N);
      if (l > 0)
        scipy_cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, K, N, 1.f, deltas[l + 1].data(), N, ws[l].data(),
                          N, 0.f, deltas[l].data(), K);
    }
  }
  st.SetLabel(w.name);
  st.counters["GFLOPS"] = benchmark::Counter(step_flops(w), benchmark::Counter::kIsIterationInvariantRate);
}

void workload_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"workload", "threads"});
  for (int64_t wl = 0; wl < 3; ++wl)
    for (int64_t th : {1, 2}) b->Args({wl, th});
  b->UseRealTime();
}

}  // namespace

BENCHMARK(BM_step)->Apply(workload_args);
BENCHMARK(BM_step_sgemm_only)->Apply(workload_args);
