// Reverse-mode autodiff on the graph: appends gradient nodes built from each op's gradient
// rule. Only nodes on a path from a `wrt` value to `loss` are differentiated, so e.g. the first
// Dense layer never computes a gradient for the model input.
#pragma once
#include <vector>

#include "graph/graph.h"

namespace pkc {

// Returns, for each value in `wrt`, the id of its gradient value, or -1 when `loss` does not
// depend on it. Each returned gradient is produced by its own node (never an alias of another
// wrt's gradient), so the caller may bind it to dedicated memory.
// `seed`: a scalar value to start backward from (e.g. a loss-scale variable); -1 means 1.
std::vector<int> gradients(Graph& g, int loss, const std::vector<int>& wrt, bool fuse = true, int seed = -1);

}  // namespace pkc
