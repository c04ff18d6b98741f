// Row grouping for evaluate / predict programs: whether k consecutive batches may run as one
// step of k * batch rows. Larger steps make the GEMMs wider in M (their packing of the weights
// is amortised over more rows) and cut the per-step overhead, and nobody can observe the
// grouping: outputs are per row, and the metric and loss-tracker totals are sums over rows
// (only their float summation order changes). Training programs never group: a step there is
// an optimizer update, so grouping would change the numbers.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace pkc {

// The first node (as "op 'name' (layer)") that makes grouping unsafe for this graph, or "" when
// every scheduled node is row-local or a row-additive accumulation. `at_b` / `at_2b` are the
// graph's value infos resolved with the feeds at b and at 2b rows: every value computed from the
// feeds must keep its rows in dim 0 (b, then 2b) with the other dims unchanged.
std::string row_grouping_blocker(const Graph& graph, const std::vector<int>& schedule, const std::vector<int>& feeds,
                                 const std::vector<int>& outputs, const std::vector<TensorInfo>& at_b,
                                 const std::vector<TensorInfo>& at_2b, int64_t b);

// Batches per grouped step for a program of `batch` rows: enough to reach about kGroupRows rows,
// and 1 when the batch is already that large.
constexpr int64_t kGroupRows = 1024;
// The most memory a grouped step's arena may take (fewer batches per step beyond that).
constexpr size_t kGroupArenaBytes = size_t{64} << 20;
int64_t row_group_for(int64_t batch);

}  // namespace pkc
