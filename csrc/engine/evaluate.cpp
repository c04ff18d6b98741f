// Runs the nodes that `fetch` depends on, allocating each value separately.
#include "engine/evaluate.h"

namespace pkc {

std::vector<Tensor> evaluate(const Graph& g, const std::map<int, Tensor>& inputs, const std::vector<int>& fetch) {
  const int nv = g.num_values(), nn = g.num_nodes();
  std::map<int, Shape> shapes;
  for (auto& kv : inputs) {
    PKC_CHECK(g.value(kv.first).kind == ValueKind::Input, Value, "value ", kv.first, " is not an input");
    PKC_CHECK(kv.second.dtype == g.value(kv.first).info.dtype, Type, "input '", g.value(kv.first).name, "' expects ",
              dtype_name(g.value(kv.first).info.dtype), ", got ", dtype_name(kv.second.dtype));
    shapes[kv.first] = kv.second.shape;
  }
  std::vector<TensorInfo> info = g.resolve(shapes);
  std::vector<char> needed(nv, 0), keep(nn, 0);
  for (int v : fetch) needed[v] = 1;
  for (int n = nn - 1; n >= 0; --n) {
    const NodeDef& nd = g.node(n);
    bool k = nd.op->mutates_input >= 0;  // state updates (metrics) always run
    for (int out : nd.outputs) k = k || needed[out];
    if (!k) continue;
    keep[n] = 1;
    for (int in : nd.inputs) needed[in] = 1;
  }
  std::vector<Tensor> vals(nv);
  for (int v = 0; v < nv; ++v) {
    const ValueDef& d = g.value(v);
    if (d.kind == ValueKind::Variable) vals[v] = d.variable->value();
    else if (d.kind == ValueKind::Constant) vals[v] = d.constant;
    else if (d.kind == ValueKind::Input && needed[v]) {
      auto it = inputs.find(v);
      PKC_CHECK(it != inputs.end(), Value, "no value given for input '", d.name, "'");
      vals[v] = it->second;
    }
  }
  StepState step;
  for (int n = 0; n < nn; ++n) {
    if (!keep[n]) continue;
    const NodeDef& nd = g.node(n);
    KernelArgs args{{}, {}, nd.attrs, nd.name, &step};
    for (int in : nd.inputs) args.in.push_back(vals[in]);
    for (size_t k = 0; k < nd.outputs.size(); ++k) {
      int out = nd.outputs[k];
      if (nd.op->alias_input >= 0 && k == 0) {
        Tensor t = vals[nd.inputs[nd.op->alias_input]];
        t.shape = info[out].shape;
        vals[out] = t;
      } else {
        vals[out] = Tensor::empty(info[out].shape, info[out].dtype);
      }
      args.out.push_back(vals[out]);
    }
    KernelFactory make = nd.op->kernel[static_cast<int>(DeviceType::cpu)];
    PKC_CHECK(make != nullptr, Runtime, "op '", nd.op->name, "' has no CPU kernel");
    make(args)();
  }
  std::vector<Tensor> out;
  for (int v : fetch) out.push_back(vals[v]);
  return out;
}

}  // namespace pkc
