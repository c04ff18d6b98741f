// Graph construction and shape resolution.
#include "graph/graph.h"

namespace pkc {

int Graph::add_input(const std::string& name, const Shape& shape, DType dtype) {
  ValueDef v;
  v.info = {shape, dtype};
  v.kind = ValueKind::Input;
  v.name = name;
  values_.push_back(std::move(v));
  return num_values() - 1;
}

int Graph::add_variable(const std::shared_ptr<Variable>& var) {
  PKC_CHECK(var != nullptr, Value, "add_variable: null variable");
  auto it = var_values_.find(var.get());
  if (it != var_values_.end()) return it->second;
  ValueDef v;
  v.info = {var->shape(), var->dtype()};
  v.kind = ValueKind::Variable;
  v.name = var->name();
  v.variable = var;
  values_.push_back(std::move(v));
  var_values_[var.get()] = num_values() - 1;
  return num_values() - 1;
}

int Graph::add_constant(const Tensor& t, const std::string& name) {
  ValueDef v;
  v.info = {t.shape, t.dtype};
  v.kind = ValueKind::Constant;
  v.name = name;
  v.constant = t;
  values_.push_back(std::move(v));
  return num_values() - 1;
}

int Graph::constant_scalar(float x) {
  Tensor t = Tensor::empty({}, DType::float32);
  *t.ptr<float>() = x;
  return add_constant(t, "scalar");
}

const ValueDef& Graph::value(int id) const {
  PKC_CHECK(id >= 0 && id < num_values(), Index, "graph has no value ", id);
  return values_[id];
}

std::vector<int> Graph::add_node(const std::string& op, const std::vector<int>& inputs,
                                 const Attrs& attrs, const std::string& name) {
  const OpDef& def = OpRegistry::instance().get(op);
  std::vector<TensorInfo> in;
  for (int id : inputs) in.push_back(value(id).info);
  std::string node_name = name.empty() ? op : name;
  ShapeCtx ctx{in, attrs, node_name};
  std::vector<TensorInfo> out = def.infer(ctx);
  NodeDef n;
  n.op = &def;
  n.inputs = inputs;
  n.attrs = attrs;
  n.name = node_name;
  int node_id = num_nodes();
  for (size_t i = 0; i < out.size(); ++i) {
    ValueDef v;
    v.info = out[i];
    v.producer = node_id;
    v.out_index = static_cast<int>(i);
    v.name = node_name;
    values_.push_back(std::move(v));
    n.outputs.push_back(num_values() - 1);
  }
  nodes_.push_back(std::move(n));
  return nodes_.back().outputs;
}

std::vector<TensorInfo> Graph::resolve(const std::map<int, Shape>& input_shapes) const {
  std::vector<TensorInfo> infos(values_.size());
  for (int i = 0; i < num_values(); ++i) {
    if (values_[i].kind == ValueKind::Intermediate) continue;
    infos[i] = values_[i].info;
    auto it = input_shapes.find(i);
    if (it != input_shapes.end()) infos[i].shape = it->second;
  }
  for (const NodeDef& n : nodes_) {
    std::vector<TensorInfo> in;
    for (int id : n.inputs) in.push_back(infos[id]);
    ShapeCtx ctx{in, n.attrs, n.name};
    std::vector<TensorInfo> out = n.op->infer(ctx);
    for (size_t k = 0; k < out.size(); ++k) infos[n.outputs[k]] = out[k];
  }
  return infos;
}

}  // namespace pkc
