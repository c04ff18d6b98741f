// The op registry: every op is declared once with its shape rule, its gradient rule and one
// kernel factory per backend. Gradient rules emit other ops through GradCtx, an interface the
// graph implements, so ops/ never depends on graph/. Kernel factories turn a node with
// concrete, planned tensors into a closure that a step loop calls with no further lookups.
#pragma once
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"

namespace pkc {

using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;

class Attrs {
 public:
  void set(const std::string& key, AttrValue v) { m_[key] = std::move(v); }
  bool has(const std::string& key) const { return m_.count(key) != 0; }
  int64_t i(const std::string& key, int64_t def) const;
  double f(const std::string& key, double def) const;
  std::string s(const std::string& key, const std::string& def) const;
  std::vector<int64_t> ints(const std::string& key) const;
  std::vector<double> floats(const std::string& key) const;
  const std::map<std::string, AttrValue>& items() const { return m_; }

 private:
  std::map<std::string, AttrValue> m_;
};

struct TensorInfo {
  Shape shape;
  DType dtype = DType::float32;
};

// What a shape rule sees; `node` names the layer/op for error messages.
struct ShapeCtx {
  const std::vector<TensorInfo>& in;
  const Attrs& attrs;
  const std::string& node;
};
using ShapeFn = std::vector<TensorInfo> (*)(const ShapeCtx&);

// Per-step values the engine exposes to kernels (dropout keys on seed and iteration).
struct StepState {
  int64_t iteration = 0;  // global step counter of the program's optimizer / executions
  uint64_t seed = 0;
};

struct KernelArgs {
  std::vector<Tensor> in;
  std::vector<Tensor> out;
  const Attrs& attrs;
  const std::string& node;
  const StepState* step = nullptr;
};
using Kernel = std::function<void()>;
using KernelFactory = Kernel (*)(const KernelArgs&);

// The graph side of reverse-mode autodiff, as seen by an op's gradient rule.
class GradCtx {
 public:
  virtual ~GradCtx() = default;
  virtual int num_inputs() const = 0;
  virtual int input(int i) const = 0;       // value id of input i
  virtual int output(int i) const = 0;      // value id of output i
  virtual int out_grad(int i) const = 0;    // gradient flowing into output i, or -1
  virtual const Attrs& attrs() const = 0;
  virtual bool needs_grad(int input_index) const = 0;
  virtual TensorInfo info(int value) const = 0;
  virtual std::vector<int> emit(const std::string& op, const std::vector<int>& inputs,
                                const Attrs& attrs = Attrs()) = 0;
  int emit1(const std::string& op, const std::vector<int>& inputs, const Attrs& attrs = Attrs()) {
    return emit(op, inputs, attrs).at(0);
  }
  virtual int constant_scalar(float v) = 0;
  virtual void set_grad(int input_index, int grad_value) = 0;  // accumulates
  // For fused rules that skip a producer: add a gradient contribution to any earlier value.
  virtual void add_value_grad(int value, int grad_value) = 0;
  virtual bool value_needs_grad(int value) const = 0;
  // The op that produced `value` ("" for inputs/variables/constants), its inputs and attrs.
  virtual std::string producer_op(int value) const = 0;
  virtual int producer_input(int value, int i) const = 0;
  virtual const Attrs& producer_attrs(int value) const = 0;
  // False when the program was compiled with jit_compile=False: rules then skip fused shortcuts
  // (e.g. softmax + crossentropy straight to the logits) and emit the plain chain rule.
  virtual bool fusion_enabled() const { return true; }
};
using GradFn = void (*)(GradCtx&);

struct OpDef {
  std::string name;
  ShapeFn infer = nullptr;
  GradFn grad = nullptr;  // null: not differentiable (no gradient flows through)
  KernelFactory kernel[kNumDeviceTypes] = {};
  int alias_input = -1;    // output 0 reuses this input's memory (reshape-like views)
  int mutates_input = -1;  // the kernel updates this input in place (state variables)
};

class OpRegistry {
 public:
  static OpRegistry& instance();
  void add(OpDef def);
  const OpDef& get(const std::string& name) const;  // ValueError on unknown op
  const OpDef* find(const std::string& name) const;
  void set_kernel(const std::string& name, DeviceType device, KernelFactory f);
  std::vector<std::string> names() const;

 private:
  std::map<std::string, OpDef> ops_;
};

struct OpRegistrar {
  explicit OpRegistrar(OpDef def) { OpRegistry::instance().add(std::move(def)); }
};

#define PKC_CONCAT_INNER(a, b) a##b
#define PKC_CONCAT(a, b) PKC_CONCAT_INNER(a, b)
// Registers an OpDef at library load: PKC_REGISTER_OP({ .name = ..., ... });
#define PKC_REGISTER_OP(...) \
  static ::pkc::OpRegistrar PKC_CONCAT(pkc_op_registrar_, __LINE__)(__VA_ARGS__)

}  // namespace pkc
