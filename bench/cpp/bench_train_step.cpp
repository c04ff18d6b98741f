// Fused training steps of tiny models through the production engine: Graph built here as the
// Python trainer would (dense layers, loss + reduce_loss, loss tracker), ParamPack, Adam and a
// train Program over 4096 bound rows, batch 32. Reports µs per step via the "us_per_step" counter;
// Arg(0) = steps per Program::run call (1 or 64). No engine logic is re-implemented here.
#include <benchmark/benchmark.h>

#include <time.h>

#include <random>

#include "engine/program.h"

namespace {

using pkc::Attrs;
using pkc::DType;
using pkc::Shape;

constexpr int64_t kRows = 4096, kBatch = 32, kIn = 16, kHidden = 32;

std::shared_ptr<pkc::Variable> weight(const std::string& name, const Shape& shape, std::mt19937& gen) {
  auto v = std::make_shared<pkc::Variable>(name, shape, DType::float32, true);
  std::uniform_real_distribution<float> u(-0.3f, 0.3f);
  float* p = v->value().ptr<float>();
  for (int64_t i = 0; i < v->numel(); ++i) p[i] = shape.size() == 2 ? u(gen) : 0.f;
  return v;
}

Attrs attr(const std::string& key, pkc::AttrValue v) {
  Attrs a;
  a.set(key, std::move(v));
  return a;
}

// One training program plus the host arrays it reads. `classes` == 0: Dense(1) + mse;
// otherwise Dense(classes, softmax) + sparse categorical crossentropy + accuracy.
struct TinyTrainer {
  std::vector<float> x;
  std::vector<float> y;  // regression targets or class ids (float32 labels)
  std::unique_ptr<pkc::Program> program;

  explicit TinyTrainer(int64_t classes) {
    std::mt19937 gen(0);
    std::normal_distribution<float> n01;
    const int64_t out = classes ? classes : 1;
    x.resize(kRows * kIn);
    for (float& v : x) v = n01(gen);
    y.resize(kRows);
    for (int64_t r = 0; r < kRows; ++r)
      y[r] = classes ? static_cast<float>(gen() % classes) : x[r * kIn] - 0.5f * x[r * kIn + 1];

    auto g = std::make_shared<pkc::Graph>();
    int xi = g->add_input("x", {-1, kIn}, DType::float32);
    int yi = g->add_input("y", classes ? Shape{-1} : Shape{-1, 1}, DType::float32);
    std::vector<std::shared_ptr<pkc::Variable>> vars = {
        weight("dense/kernel", {kIn, kHidden}, gen), weight("dense/bias", {kHidden}, gen),
        weight("dense_1/kernel", {kHidden, out}, gen), weight("dense_1/bias", {out}, gen)};
    std::vector<int> v;
    for (auto& var : vars) v.push_back(g->add_variable(var));
    int h = g->add_node("dense", {xi, v[0], v[1]}, attr("activation", std::string("relu")), "dense")[0];
    int pred;
    if (classes) {
      int z = g->add_node("dense", {h, v[2], v[3]}, attr("activation", std::string("linear")), "dense_1")[0];
      pred = g->add_node("softmax", {z}, attr("axis", int64_t{-1}), "dense_1_softmax")[0];
    } else {
      pred = g->add_node("dense", {h, v[2], v[3]}, attr("activation", std::string("linear")), "dense_1")[0];
    }
    const char* loss_op = classes ? "sparse_categorical_crossentropy" : "mean_squared_error";
    int per_sample = g->add_node(loss_op, {yi, pred}, Attrs(), "loss")[0];
    int loss = g->add_node("reduce_loss", {per_sample}, attr("reduction", std::string("sum_over_batch_size")),
                           "loss_reduce")[0];
    // The trainer's loss tracker: Mean(loss) weighted by the batch size.
    int bs = g->add_node("batch_size", {xi}, Attrs(), "batch_size")[0];
    g->add_node("metric_mean_update", {g->add_variable(state("loss/total_count")), loss, bs}, Attrs(), "loss");
    if (classes) {
      int acc = g->add_node("sparse_categorical_accuracy", {yi, pred}, Attrs(), "accuracy")[0];
      g->add_node("metric_mean_update", {g->add_variable(state("accuracy/total_count")), acc}, Attrs(), "accuracy");
    }

    pkc::ProgramSpec spec;
    spec.mode = pkc::Mode::train;
    spec.graph = g;
    spec.feeds = {xi, yi};
    spec.loss = loss;
    spec.pack = std::make_shared<pkc::ParamPack>(vars);
    spec.optimizer = std::make_shared<pkc::Optimizer>(
        "adam", std::map<std::string, double>{{"learning_rate", 1e-3}, {"beta_1", 0.9}, {"beta_2", 0.999},
                                              {"epsilon", 1e-7}, {"amsgrad", 0.0}});
    spec.batch_size = kBatch;
    program = std::make_unique<pkc::Program>(spec);
    program->set_inputs({host(x.data(), {kRows, kIn}, "x"),
                         host(y.data(), classes ? Shape{kRows} : Shape{kRows, 1}, "y")});
  }

  static std::shared_ptr<pkc::Variable> state(const std::string& name) {
    return std::make_shared<pkc::Variable>(name, Shape{2}, DType::float32, false);
  }
  static pkc::HostArray host(float* data, const Shape& shape, const std::string& name) {
    pkc::HostArray a;
    a.data = data;
    a.shape = shape;
    a.row_stride = static_cast<int64_t>((shape.size() > 1 ? shape[1] : 1) * sizeof(float));
    a.name = name;
    return a;
  }
};

double thread_cpu_us() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return 1e6 * static_cast<double>(ts.tv_sec) + 1e-3 * static_cast<double>(ts.tv_nsec);
}

void run_steps(benchmark::State& st, int64_t classes) {
  TinyTrainer t(classes);
  const int64_t per_call = st.range(0), epoch = t.program->steps_per_epoch();
  int64_t step = 0;
  t.program->run(0, 1);  // builds the kernels outside the timed loop
  const double t0 = thread_cpu_us();
  for (auto _ : st) {
    t.program->run(step, per_call);
    step = (step + per_call) % epoch;
  }
  // CPU time of this thread (like the CPU column): robust to other load on a shared machine.
  st.counters["us_per_step"] = (thread_cpu_us() - t0) / static_cast<double>(st.iterations() * per_call);
}

void BM_train_step_mse(benchmark::State& st) { run_steps(st, 0); }
void BM_train_step_scce_acc(benchmark::State& st) { run_steps(st, 3); }

}  // namespace

BENCHMARK(BM_train_step_mse)->ArgName("steps_per_call")->Arg(1)->Arg(64);
BENCHMARK(BM_train_step_scce_acc)->ArgName("steps_per_call")->Arg(1)->Arg(64);
