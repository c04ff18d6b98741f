// Greedy first-fit arena planning over value lifetimes.
#include "graph/memory_plan.h"

#include <algorithm>
#include <map>

namespace pkc {

namespace {
size_t align64(size_t b) { return (b + 63) / 64 * 64; }
}

MemoryPlan plan_memory(const Graph& g, const std::vector<int>& schedule, const std::vector<size_t>& bytes,
                       const std::vector<char>& external, const std::vector<char>& live_to_end) {
  const int nv = g.num_values();
  const int end = static_cast<int>(schedule.size());
  // A view output shares the buffer of its source ("root").
  std::vector<int> root(nv);
  for (int v = 0; v < nv; ++v) root[v] = v;
  std::vector<int> def(nv, -1), last(nv, -1);
  for (int s = 0; s < end; ++s) {
    const NodeDef& n = g.node(schedule[s]);
    for (int in : n.inputs) last[root[in]] = std::max(last[root[in]], s);
    if (n.op->alias_input >= 0) root[n.outputs[0]] = root[n.inputs[n.op->alias_input]];
    for (int out : n.outputs)
      if (root[out] == out) def[out] = s;
  }
  for (int v = 0; v < nv; ++v) {
    if (live_to_end[v]) last[root[v]] = end;
    // a value nobody reads still needs memory during its producer
    if (def[v] >= 0 && last[v] < def[v]) last[v] = def[v];
  }

  MemoryPlan plan;
  plan.offset.assign(nv, -1);
  // events: allocate at def, free after last use
  std::vector<std::vector<int>> allocs(end + 1), frees(end + 1);
  for (int v = 0; v < nv; ++v) {
    if (root[v] != v || def[v] < 0 || external[v]) continue;
    allocs[def[v]].push_back(v);
    frees[std::min(last[v], end)].push_back(v);
  }
  std::map<size_t, size_t> free_blocks;  // offset -> size
  size_t top = 0;
  auto release = [&](size_t off, size_t sz) {
    auto it = free_blocks.emplace(off, sz).first;
    auto next = std::next(it);
    if (next != free_blocks.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_blocks.erase(next);
    }
    if (it != free_blocks.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_blocks.erase(it);
      }
    }
  };
  for (int s = 0; s <= end; ++s) {
    for (int v : allocs[s]) {
      size_t need = align64(std::max<size_t>(bytes[v], 1));
      auto best = free_blocks.end();
      for (auto it = free_blocks.begin(); it != free_blocks.end(); ++it)
        if (it->second >= need && (best == free_blocks.end() || it->second < best->second)) best = it;
      if (best != free_blocks.end()) {
        plan.offset[v] = static_cast<int64_t>(best->first);
        size_t off = best->first + need, rest = best->second - need;
        free_blocks.erase(best);
        if (rest) free_blocks.emplace(off, rest);
      } else {
        plan.offset[v] = static_cast<int64_t>(top);
        top += need;
      }
    }
    for (int v : frees[s]) release(static_cast<size_t>(plan.offset[v]), align64(std::max<size_t>(bytes[v], 1)));
  }
  for (int v = 0; v < nv; ++v)
    if (root[v] != v && !external[v] && plan.offset[root[v]] >= 0) plan.offset[v] = plan.offset[root[v]];
  plan.arena_bytes = top;
  return plan;
}

bool plan_fits(const MemoryPlan& plan, const std::vector<size_t>& planned, const std::vector<size_t>& bytes) {
  for (size_t v = 0; v < bytes.size(); ++v)
    if (plan.offset[v] >= 0 && bytes[v] > planned[v]) return false;
  return true;
}

}  // namespace pkc
