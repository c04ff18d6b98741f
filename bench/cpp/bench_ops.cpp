// Per-op-family microbenchmarks: any registered op, by name, run through its CPU kernel factory
// on fixed shapes (the same path the engine uses). Reports elements/s of the first input and
// GB/s of input+output traffic. Each row of kCases is one benchmark; add rows, not code.
#include <benchmark/benchmark.h>

#include <random>

#include "graph/graph.h"
#include "ops/registry.h"

namespace {

struct Case {
  const char* family;
  const char* op;
  std::vector<pkc::Shape> inputs;
  std::vector<std::pair<const char*, pkc::AttrValue>> attrs;
  std::vector<pkc::DType> dtypes;  // default float32
};

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"activations", "relu", {{256, 1024}}, {}, {}},
      {"activations", "sigmoid", {{256, 1024}}, {}, {}},
      {"activations", "tanh", {{256, 1024}}, {}, {}},
      {"activations", "softmax", {{256, 1024}}, {{"axes", std::vector<int64_t>{-1}}}, {}},
      {"activations", "gelu", {{256, 1024}}, {{"approximate", int64_t{1}}}, {}},
      {"activations", "gelu", {{256, 1024}}, {{"approximate", int64_t{0}}}, {}},
      {"activations", "silu", {{256, 1024}}, {}, {}},
      {"activations", "log_softmax", {{256, 1024}}, {{"axes", std::vector<int64_t>{-1}}}, {}},
      {"activations", "relu_grad", {{256, 1024}, {256, 1024}}, {}, {}},
      {"elementwise", "add", {{256, 1024}, {256, 1024}}, {}, {}},
      {"elementwise", "add", {{256, 1024}, {1024}}, {}, {}},
      {"elementwise", "multiply", {{256, 1024}, {256, 1024}}, {}, {}},
      {"elementwise", "sum_to_shape", {{256, 1024}, {1024}}, {}, {}},
      {"elementwise", "exp", {{256, 1024}}, {}, {}},
      {"elementwise", "maximum", {{256, 1024}, {256, 1024}}, {}, {}},
      {"reduce", "sum", {{256, 1024}}, {{"axis", std::vector<int64_t>{1}}}, {}},
      {"reduce", "mean", {{256, 1024}}, {{"axis", std::vector<int64_t>{0}}}, {}},
      {"reduce", "max", {{256, 1024}}, {{"axis", std::vector<int64_t>{1}}}, {}},
      {"shape", "transpose", {{256, 1024}}, {{"axes", std::vector<int64_t>{1, 0}}}, {}},
      {"shape", "concatenate", {{256, 512}, {256, 512}}, {{"axis", int64_t{1}}}, {}},
      {"layers", "layer_normalization", {{256, 1024}, {1024}, {1024}}, {{"axis", std::vector<int64_t>{-1}}}, {}},
      {"layers", "dropout", {{256, 1024}}, {{"rate", 0.5}, {"seed", int64_t{1}}}, {}},
      {"dense", "bias_grad", {{256, 1024}}, {}, {}},
      {"dense", "dense_act_grad", {{256, 1024}, {256, 1024}}, {{"activation", std::string("relu")}}, {}},
      {"losses", "mean_squared_error", {{256, 1024}, {256, 1024}}, {}, {}},
      {"losses", "sparse_categorical_crossentropy", {{256}, {256, 1024}}, {}, {}},
      {"losses", "reduce_loss", {{256, 1024}}, {}, {}},
      {"losses", "binary_crossentropy", {{256, 1024}, {256, 1024}}, {}, {}},
      {"losses", "categorical_crossentropy", {{256, 1024}, {256, 1024}}, {}, {}},
      {"losses", "huber", {{256, 1024}, {256, 1024}}, {}, {}},
      {"metrics", "sparse_categorical_accuracy", {{256}, {256, 1024}}, {}, {}},
      {"metrics", "binary_accuracy", {{256, 1024}, {256, 1024}}, {{"threshold", 0.5}}, {}},
  };
  return c;
}

void BM_op(benchmark::State& st) {
  const Case& c = cases()[st.range(0)];
  const pkc::OpDef* def = pkc::OpRegistry::instance().find(c.op);
  if (!def) {
    st.SkipWithError("op not registered");
    return;
  }
  pkc::Attrs attrs;
  for (auto& kv : c.attrs) attrs.set(kv.first, kv.second);
  std::vector<pkc::TensorInfo> in;
  std::vector<pkc::Tensor> tensors;
  std::mt19937 gen(0);
  std::uniform_real_distribution<float> u(0.01f, 0.99f);
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    pkc::DType dt = i < c.dtypes.size() ? c.dtypes[i] : pkc::DType::float32;
    pkc::Tensor t = pkc::Tensor::empty(c.inputs[i], dt);
    if (dt == pkc::DType::float32)
      for (int64_t k = 0; k < t.numel(); ++k) t.ptr<float>()[k] = u(gen);
    tensors.push_back(t);
    in.push_back({c.inputs[i], dt});
  }
  std::string node = c.op;
  std::vector<pkc::TensorInfo> out_info = def->infer(pkc::ShapeCtx{in, attrs, node});
  std::vector<pkc::Tensor> outs;
  size_t bytes = 0;
  for (auto& t : tensors) bytes += t.nbytes();
  for (auto& o : out_info) {
    outs.push_back(pkc::Tensor::empty(o.shape, o.dtype));
    bytes += outs.back().nbytes();
  }
  pkc::StepState step;
  pkc::Kernel k = def->kernel[0](pkc::KernelArgs{tensors, outs, attrs, node, &step});
  for (auto _ : st) k();
  st.SetLabel(std::string(c.family) + "/" + c.op);
  st.counters["Gelem/s"] = benchmark::Counter(static_cast<double>(tensors.back().numel()), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
  st.counters["GB/s"] = benchmark::Counter(static_cast<double>(bytes), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1024);
}

void op_args(benchmark::internal::Benchmark* b) {
  b->ArgName("case");
  for (int64_t i = 0; i < static_cast<int64_t>(cases().size()); ++i) b->Arg(i);
}

}  // namespace

BENCHMARK(BM_op)->Apply(op_args);

// Optimizer family: one update of a 1M-parameter flat buffer (params, grads, slots) per rule.
#include "core/param_pack.h"
#include "engine/optimizer.h"

#include <map>

namespace {

// Keras 3 defaults of each rule (what pykerascore.optimizers sends to the native optimizer).
const std::vector<std::pair<const char*, std::map<std::string, double>>>& optimizers() {
  static const std::vector<std::pair<const char*, std::map<std::string, double>>> o = {
      {"sgd", {{"momentum", 0.0}, {"nesterov", 0.0}}},
      {"rmsprop", {{"rho", 0.9}, {"momentum", 0.0}, {"epsilon", 1e-7}, {"centered", 0.0}}},
      {"adam", {{"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7}, {"amsgrad", 0.0}}},
      {"adamw", {{"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7}, {"amsgrad", 0.0}, {"weight_decay", 0.004}}},
      {"adagrad", {{"initial_accumulator_value", 0.1}, {"epsilon", 1e-7}}},
      {"adadelta", {{"rho", 0.95}, {"epsilon", 1e-7}}},
      {"adamax", {{"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7}}},
      {"nadam", {{"beta_1", 0.9}, {"beta_2", 0.999}, {"epsilon", 1e-7}}},
      {"ftrl", {{"learning_rate_power", -0.5}, {"initial_accumulator_value", 0.1}, {"l1_regularization_strength", 0.0},
                {"l2_regularization_strength", 0.0}, {"l2_shrinkage_regularization_strength", 0.0}, {"beta", 0.0}}},
      {"lion", {{"beta_1", 0.9}, {"beta_2", 0.99}}},
  };
  return o;
}

void BM_optimizer_update(benchmark::State& st) {
  const auto& [name, hyper] = optimizers()[st.range(0)];
  const int64_t n = 1 << 20;
  auto var = std::make_shared<pkc::Variable>("w", pkc::Shape{n}, pkc::DType::float32, true);
  pkc::ParamPack pack({var});
  for (int64_t i = 0; i < n; ++i) pack.grads()[i] = 1e-3f * static_cast<float>(i % 7);
  auto config = hyper;
  config["learning_rate"] = 1e-3;
  pkc::Optimizer opt(name, config);
  for (auto _ : st) opt.apply(pack);
  st.SetLabel(std::string("optimizers/") + name);
  st.counters["Gparam/s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate, benchmark::Counter::kIs1000);
}

}  // namespace

BENCHMARK(BM_optimizer_update)->ArgName("rule")->DenseRange(0, 9);
