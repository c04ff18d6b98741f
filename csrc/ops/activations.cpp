// The fusable activations (the Act enum) as their own element-wise ops: y = act(x), and
// `<name>_grad`(dy, y) computing dx from the output. Name lookup for fused epilogues too.
// Nothing here reads the input x in backward; ops that need x live in activations_param.cpp.
#include "ops/activations.h"

#include "ops/dispatch.h"
#include "ops/shape_rules.h"

namespace pkc {

namespace {
constexpr Act kAllActs[] = {Act::linear, Act::relu,         Act::sigmoid,    Act::tanh,
                            Act::relu6,  Act::hard_sigmoid, Act::exponential};
}  // namespace

const char* act_name(Act a) {
  switch (a) {
    case Act::relu: return "relu";
    case Act::sigmoid: return "sigmoid";
    case Act::tanh: return "tanh";
    case Act::relu6: return "relu6";
    case Act::hard_sigmoid: return "hard_sigmoid";
    case Act::exponential: return "exponential";
    default: return "linear";
  }
}

bool act_is_fusable(const std::string& n) {
  if (n.empty()) return true;
  for (Act a : kAllActs)
    if (n == act_name(a)) return true;
  return false;
}

Act act_from_name(const std::string& n, const std::string& node) {
  if (n.empty()) return Act::linear;
  for (Act a : kAllActs)
    if (n == act_name(a)) return a;
  PKC_THROW(Value, node, ": activation '", n, "' cannot be fused here");
}

namespace {

template <Act A, typename T>
Kernel act_kernel_t(const KernelArgs& a) {
  const T* x = a.in[0].ptr<T>();
  T* y = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) y[i] = act_forward(A, x[i]);
  };
}

template <Act A>
Kernel act_kernel(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? act_kernel_t<A, double>(a) : act_kernel_t<A, float>(a);
}

// dx = act'(y) * dy; inputs (dy, y)
template <Act A, typename T>
Kernel act_grad_kernel_t(const KernelArgs& a) {
  const T* dy = a.in[0].ptr<T>();
  const T* y = a.in[1].ptr<T>();
  T* dx = a.out[0].ptr<T>();
  int64_t n = a.in[0].numel();
  return [=] {
    for (int64_t i = 0; i < n; ++i) dx[i] = act_backward(A, dy[i], y[i]);
  };
}

template <Act A>
Kernel act_grad_kernel(const KernelArgs& a) {
  return kernel_dtype(a) == DType::float64 ? act_grad_kernel_t<A, double>(a) : act_grad_kernel_t<A, float>(a);
}

template <Act A>
void act_grad_rule(GradCtx& g) {
  g.set_grad(0, g.emit1(std::string(act_name(A)) + "_grad", {g.out_grad(0), g.output(0)}));
}

std::vector<TensorInfo> float_unary(const ShapeCtx& c) {
  check_num_inputs(c, 1, 1);
  check_floating(c, 0);
  return {c.in[0]};
}

// (dy, y): same shape and float dtype.
std::vector<TensorInfo> grad_from_output(const ShapeCtx& c) {
  check_num_inputs(c, 2, 2);
  common_floating(c, {0, 1});
  PKC_CHECK(c.in[0].shape == c.in[1].shape, Value, c.node, ": gradient shape ", shape_str(c.in[0].shape),
            " does not match output shape ", shape_str(c.in[1].shape));
  return {c.in[0]};
}

template <Act A>
struct ActRegistrar {
  ActRegistrar() {
    std::string name = act_name(A);
    OpRegistry::instance().add({.name = name, .infer = float_unary, .grad = act_grad_rule<A>,
                                .kernel = {act_kernel<A>}});
    OpRegistry::instance().add({.name = name + "_grad", .infer = grad_from_output, .kernel = {act_grad_kernel<A>}});
  }
};

ActRegistrar<Act::relu> reg_relu;
ActRegistrar<Act::sigmoid> reg_sigmoid;
ActRegistrar<Act::tanh> reg_tanh;
ActRegistrar<Act::relu6> reg_relu6;
ActRegistrar<Act::hard_sigmoid> reg_hard_sigmoid;
ActRegistrar<Act::exponential> reg_exponential;

}  // namespace
}  // namespace pkc
