// The graph IR built from Python: values (inputs, variables, constants, op results) and nodes
// in insertion order, which is always a valid topological order. Shapes are inferred as nodes
// are added (with -1 for the batch dim) and re-inferred for each concrete batch size.
#pragma once
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/variable.h"
#include "ops/registry.h"

namespace pkc {

enum class ValueKind { Input, Variable, Constant, Intermediate };

struct ValueDef {
  TensorInfo info;
  ValueKind kind = ValueKind::Intermediate;
  int producer = -1;  // node id, for intermediates
  int out_index = 0;
  std::string name;
  std::shared_ptr<Variable> variable;  // kind == Variable
  Tensor constant;                     // kind == Constant (host memory)
};

struct NodeDef {
  const OpDef* op = nullptr;
  std::vector<int> inputs, outputs;
  Attrs attrs;
  std::string name;  // layer/op name used in error messages
};

class Graph {
 public:
  int add_input(const std::string& name, const Shape& shape, DType dtype);
  int add_variable(const std::shared_ptr<Variable>& var);  // one value per variable
  int add_constant(const Tensor& t, const std::string& name = "constant");
  int constant_scalar(float v);
  std::vector<int> add_node(const std::string& op, const std::vector<int>& inputs, const Attrs& attrs,
                            const std::string& name);

  const ValueDef& value(int id) const;
  const NodeDef& node(int id) const { return nodes_.at(id); }
  // For a Program tuning its own copy of the graph (e.g. marking gradients it accumulates into).
  Attrs& node_attrs(int id) { return nodes_.at(id).attrs; }
  int num_values() const { return static_cast<int>(values_.size()); }
  int num_nodes() const { return static_cast<int>(nodes_.size()); }

  // Shapes of every value with the given input shapes substituted (concrete batch size).
  std::vector<TensorInfo> resolve(const std::map<int, Shape>& input_shapes) const;

 private:
  // deques: references to existing values/nodes stay valid while gradient rules add nodes.
  std::deque<ValueDef> values_;
  std::deque<NodeDef> nodes_;
  std::map<const Variable*, int> var_values_;
};

}  // namespace pkc
