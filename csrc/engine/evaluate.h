// One-off evaluation of graph values with concrete inputs: every value gets its own buffer.
// For eager calls, tests and debugging -- never used inside a training loop.
#pragma once
#include <map>
#include <vector>

#include "graph/graph.h"

namespace pkc {

std::vector<Tensor> evaluate(const Graph& g, const std::map<int, Tensor>& inputs, const std::vector<int>& fetch);

}  // namespace pkc
