// The row-grouping analysis: a forward walk over the schedule classifying each value by how it
// depends on the batch rows. An op is accepted only when it is listed here; a new op blocks
// grouping until someone decides where it belongs.
#include "engine/row_groups.h"

#include <algorithm>
#include <set>

#include "core/shape.h"
#include "ops/activations.h"

namespace pkc {

namespace {

// How a value depends on the rows of the running batch.
enum class Kind {
  fixed,       // not at all (variables, constants, values computed from them only)
  rows,        // row i depends on row i of the inputs only; dim 0 is the batch
  batch_mean,  // a scalar mean over the batch's rows (a sum_over_batch_size loss, linear combinations)
  row_count,   // the scalar number of rows (op batch_size)
};

// Ops whose output row i depends only on row i of their batch inputs, for any attrs: element-wise
// math, activations over the last axes, per-sample losses and metric values, and shape ops whose
// effect on dim 0 the shape check (dim 0 == rows at b and 2b) already rules on.
const std::set<std::string>& row_local_ops() {
  static const std::set<std::string> ops = {
      // element-wise
      "abs", "add", "subtract", "multiply", "divide", "negative", "maximum", "minimum", "power", "clip", "where",
      "sign", "sqrt", "square", "exp", "log", "log1p", "cast", "copy", "zeros_like", "equal", "not_equal", "greater",
      "greater_equal", "less", "less_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
      // activations (element-wise)
      "relu", "relu6", "sigmoid", "tanh", "elu", "selu", "gelu", "silu", "softplus", "softsign", "hard_sigmoid",
      "exponential", "leaky_relu",
      // shape and reductions: any mixing of rows changes dim 0, which the shape check rejects
      "reshape", "concatenate", "transpose", "sum", "mean", "max", "min", "argmax", "argmin", "one_hot",
      "batch_matmul",
      // per-sample losses (over the last axis) and their masks / weights
      "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
      "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "mean_squared_error",
      "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_logarithmic_error", "huber",
      "log_cosh", "poisson", "kl_divergence", "hinge", "squared_hinge", "categorical_hinge", "cosine_similarity",
      "ignore_class_mask", "class_weight_to_sample_weight",
      // per-sample metric values
      "metric_accuracy", "metric_binary_accuracy", "binary_accuracy", "categorical_accuracy",
      "sparse_categorical_accuracy", "metric_top_k_accuracy", "metric_binary_crossentropy",
      "metric_categorical_crossentropy", "metric_categorical_hinge", "metric_cosine_similarity", "metric_hinge",
      "metric_kl_divergence", "metric_log_cosh", "metric_mean_absolute_error",
      "metric_mean_absolute_percentage_error", "metric_mean_squared_error", "metric_mean_squared_logarithmic_error",
      "metric_poisson", "metric_squared_hinge",
  };
  return ops;
}

// Accumulators that add one term per row (counts, sums, confusion tables): grouping only
// changes the order of the additions.
const std::set<std::string>& row_additive_updates() {
  static const std::set<std::string> ops = {"metric_mean_update", "metric_sum_update", "metric_confusion_update",
                                            "metric_r2_update"};
  return ops;
}

bool axes_include_batch(const std::vector<int64_t>& axes, size_t rank, const std::string& node) {
  for (int64_t a : axes)
    if (normalize_axis(a, rank, node.c_str()) == 0) return true;
  return false;
}

// Ops that normalise over axes given in their attrs: row-local unless an axis is 0.
bool is_normaliser(const std::string& op) {
  return op == "softmax" || op == "log_softmax" || op == "layer_normalization" || op == "batch_normalization";
}

bool normalises_over_batch(const NodeDef& nd, size_t rank) {
  const std::string& op = nd.op->name;
  if (op == "softmax" || op == "log_softmax") {
    const std::vector<int> axes = softmax_axes(nd.attrs, rank, nd.name);
    return !axes.empty() && axes.front() == 0;
  }
  if (op == "layer_normalization")
    return axes_include_batch(nd.attrs.has("axes") ? nd.attrs.ints("axes") : std::vector<int64_t>{-1}, rank, nd.name);
  if (op == "batch_normalization") return axes_include_batch({nd.attrs.i("axis", -1)}, rank, nd.name);
  return false;
}

// Row-local ops whose other operands must not depend on the batch (weights, tables, statistics).
bool needs_fixed_operands(const std::string& op) {
  return op == "dense" || op == "matmul" || op == "embedding" || op == "batch_normalization";
}

std::string describe(const NodeDef& nd, const char* why) {
  return "op '" + nd.op->name + "' (" + nd.name + "): " + why;
}

}  // namespace

int64_t row_group_for(int64_t batch) { return batch > 0 && batch < kGroupRows ? kGroupRows / batch : 1; }

std::string row_grouping_blocker(const Graph& graph, const std::vector<int>& schedule, const std::vector<int>& feeds,
                                 const std::vector<int>& outputs, const std::vector<TensorInfo>& at_b,
                                 const std::vector<TensorInfo>& at_2b, int64_t b) {
  std::vector<Kind> kind(graph.num_values(), Kind::fixed);
  auto keeps_rows = [&](int v) {
    const Shape& s1 = at_b[v].shape;
    const Shape& s2 = at_2b[v].shape;
    if (s1.empty() || s1.size() != s2.size() || s1[0] != b || s2[0] != 2 * b) return false;
    return std::equal(s1.begin() + 1, s1.end(), s2.begin() + 1);
  };
  for (int f : feeds) {
    if (!keeps_rows(f)) return "input '" + graph.value(f).name + "' does not have its rows in dim 0";
    kind[f] = Kind::rows;
  }
  for (int n : schedule) {
    const NodeDef& nd = graph.node(n);
    const std::string& op = nd.op->name;
    int n_rows = 0, n_mean = 0, n_count = 0;
    for (int in : nd.inputs) {
      n_rows += kind[in] == Kind::rows;
      n_mean += kind[in] == Kind::batch_mean;
      n_count += kind[in] == Kind::row_count;
    }
    Kind out = Kind::fixed;
    if (op == "batch_size") {
      out = Kind::row_count;
    } else if (n_rows + n_mean + n_count == 0) {
      // Pure ops on weights are fine; state updated from them once per step counts steps.
      if (nd.op->mutates_input >= 0) return describe(nd, "updates state once per step");
      out = Kind::fixed;
    } else if (row_additive_updates().count(op)) {
      // rows: per-row terms (and per-row weights); a batch mean weighted by the row count is a
      // sum over the rows too (Keras's loss tracker).
      bool per_row = n_mean == 0 && n_count == 0;
      bool tracker = op == "metric_mean_update" && nd.inputs.size() == 3 && kind[nd.inputs[1]] == Kind::batch_mean &&
                     kind[nd.inputs[2]] == Kind::row_count;
      if (!per_row && !tracker) return describe(nd, "accumulates a per-batch value");
      continue;
    } else if (op == "reduce_loss") {
      if (n_mean + n_count) return describe(nd, "reduces a per-batch value");
      if (nd.attrs.s("reduction", "sum_over_batch_size") != "sum_over_batch_size")
        return describe(nd, "its reduction is not sum_over_batch_size");
      out = Kind::batch_mean;
    } else if (n_mean + n_count) {
      // Linear combinations of batch means stay batch means (loss weights, the total loss,
      // regularization terms that do not depend on the batch).
      bool linear = false;
      if (n_rows == 0 && n_count == 0) {
        if (op == "add" || op == "subtract" || op == "negative" || op == "cast" || op == "copy") linear = true;
        else if (op == "multiply") linear = n_mean == 1;
        else if (op == "divide") linear = kind[nd.inputs[0]] == Kind::batch_mean && kind[nd.inputs[1]] == Kind::fixed;
      }
      if (!linear) return describe(nd, "combines a per-batch value non-linearly");
      out = Kind::batch_mean;
    } else {
      if (!row_local_ops().count(op) && !needs_fixed_operands(op) && !is_normaliser(op)) return describe(nd, "is not known to be row-local");
      if (needs_fixed_operands(op))
        for (size_t i = 1; i < nd.inputs.size(); ++i)
          if (kind[nd.inputs[i]] != Kind::fixed) return describe(nd, "its weights depend on the batch");
      if (op == "matmul" && nd.attrs.i("transpose_a", 0)) return describe(nd, "contracts over the batch");
      if (normalises_over_batch(nd, at_b[nd.inputs[0]].shape.size())) return describe(nd, "normalises over the batch");
      out = Kind::rows;
    }
    for (int v : nd.outputs) {
      if (out == Kind::rows && !keeps_rows(v)) return describe(nd, "moves rows out of dim 0");
      kind[v] = out;
    }
  }
  for (int v : outputs)
    if (kind[v] != Kind::rows) return "output '" + graph.value(v).name + "' is not per row";
  return "";
}

}  // namespace pkc
