// Reverse-mode autodiff over the node list, accumulating gradients with `add` nodes.
#include "graph/autodiff.h"

#include <set>

namespace pkc {
namespace {

class GraphGradCtx : public GradCtx {
 public:
  GraphGradCtx(Graph& g, std::vector<int>& grads, const std::vector<char>& relevant, bool fuse)
      : g_(g), grads_(grads), relevant_(relevant), fuse_(fuse) {}
  bool fusion_enabled() const override { return fuse_; }
  void set_node(int n) { node_ = n; }

  int num_inputs() const override { return static_cast<int>(nd().inputs.size()); }
  int input(int i) const override { return nd().inputs.at(i); }
  int output(int i) const override { return nd().outputs.at(i); }
  int out_grad(int i) const override { return grads_[nd().outputs.at(i)]; }
  const Attrs& attrs() const override { return nd().attrs; }
  bool needs_grad(int i) const override { return value_needs_grad(nd().inputs.at(i)); }
  bool value_needs_grad(int v) const override { return v < static_cast<int>(relevant_.size()) && relevant_[v]; }
  TensorInfo info(int v) const override { return g_.value(v).info; }
  std::vector<int> emit(const std::string& op, const std::vector<int>& in, const Attrs& a) override {
    return g_.add_node(op, in, a, nd().name + "/grad");
  }
  int constant_scalar(float v) override { return g_.constant_scalar(v); }
  void set_grad(int i, int grad) override { add_value_grad(nd().inputs.at(i), grad); }
  void add_value_grad(int v, int grad) override {
    if (grad < 0 || !value_needs_grad(v)) return;
    PKC_CHECK(g_.value(grad).info.shape.size() == g_.value(v).info.shape.size(), Runtime, nd().name,
              ": gradient rank mismatch for value ", v);
    grads_.resize(g_.num_values(), -1);
    if (grads_[v] < 0)
      grads_[v] = grad;
    else
      grads_[v] = g_.add_node("add", {grads_[v], grad}, Attrs(), nd().name + "/grad_accum").at(0);
  }
  std::string producer_op(int v) const override {
    int p = g_.value(v).producer;
    return p < 0 ? std::string() : g_.node(p).op->name;
  }
  int producer_input(int v, int i) const override { return g_.node(g_.value(v).producer).inputs.at(i); }
  const Attrs& producer_attrs(int v) const override { return g_.node(g_.value(v).producer).attrs; }

 private:
  const NodeDef& nd() const { return g_.node(node_); }
  Graph& g_;
  std::vector<int>& grads_;
  const std::vector<char>& relevant_;
  bool fuse_;
  int node_ = -1;
};

}  // namespace

std::vector<int> gradients(Graph& g, int loss, const std::vector<int>& wrt, bool fuse, int seed) {
  PKC_CHECK(g.value(loss).info.shape.empty(), Value, "gradients: the loss must be a scalar, got shape ",
            shape_str(g.value(loss).info.shape));
  const int forward_nodes = g.num_nodes();
  const int forward_values = g.num_values();

  // Values that depend on some wrt value (forward reachability).
  std::vector<char> depends(forward_values, 0);
  for (int v : wrt) depends[v] = 1;
  for (int n = 0; n < forward_nodes; ++n) {
    const NodeDef& nd = g.node(n);
    if (!nd.op->grad) continue;  // not differentiable: nothing flows through it
    bool any = false;
    for (int in : nd.inputs) any = any || depends[in];
    if (any)
      for (int out : nd.outputs) depends[out] = 1;
  }
  // ... and that the loss depends on (backward reachability).
  std::vector<char> relevant(forward_values, 0);
  if (depends[loss]) relevant[loss] = 1;
  for (int n = forward_nodes - 1; n >= 0; --n) {
    const NodeDef& nd = g.node(n);
    bool feeds_loss = false;
    for (int out : nd.outputs) feeds_loss = feeds_loss || relevant[out];
    if (!feeds_loss || !nd.op->grad) continue;
    for (int in : nd.inputs)
      if (depends[in]) relevant[in] = 1;
  }

  std::vector<int> grads(forward_values, -1);
  if (relevant[loss]) {
    int one = seed >= 0 ? seed : g.constant_scalar(1.f);
    DType dt = g.value(loss).info.dtype;
    if (dt != DType::float32) {
      Attrs at;
      at.set("dtype", std::string(dtype_name(dt)));
      one = g.add_node("cast", {one}, at, "loss_seed").at(0);
    }
    grads[loss] = one;
  }
  grads.resize(g.num_values(), -1);
  GraphGradCtx ctx(g, grads, relevant, fuse);
  for (int n = forward_nodes - 1; n >= 0; --n) {
    const NodeDef& nd = g.node(n);
    if (!nd.op->grad) continue;
    bool has_out_grad = false;
    for (int out : nd.outputs) has_out_grad = has_out_grad || (out < static_cast<int>(grads.size()) && grads[out] >= 0);
    bool needs = false;
    for (int in : nd.inputs) needs = needs || relevant[in];
    if (!has_out_grad || !needs) continue;
    // Missing gradients for other outputs are zeros.
    for (int out : nd.outputs)
      if (grads[out] < 0) grads[out] = g.add_node("zeros_like", {out}, Attrs(), nd.name + "/grad").at(0);
    ctx.set_node(n);
    nd.op->grad(ctx);
    grads.resize(g.num_values(), -1);
  }

  // Each result must own its node output so that it can be bound to the flat gradient buffer.
  std::vector<int> result;
  std::set<int> used;
  for (int v : wrt) {
    int gv = grads[v];
    if (gv >= 0) {
      const ValueDef& d = g.value(gv);
      bool aliased = d.kind != ValueKind::Intermediate || used.count(gv) ||
                     (d.producer >= 0 && g.node(d.producer).op->alias_input >= 0);
      for (int w : wrt) aliased = aliased || w == gv;
      if (aliased) gv = g.add_node("copy", {gv}, Attrs(), g.value(v).name + "/grad_copy").at(0);
      used.insert(gv);
    }
    result.push_back(gv);
  }
  return result;
}

}  // namespace pkc
