// Memory plan: every intermediate value of a program gets an offset in one arena, allocated
// once; buffers are reused when lifetimes do not overlap. Values bound elsewhere (inputs,
// variables, gradients in the flat buffer, constants) are "external" and get no offset.
#pragma once
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace pkc {

struct MemoryPlan {
  std::vector<int64_t> offset;  // bytes into the arena; -1 for external / unused values
  size_t arena_bytes = 0;
};

// schedule: node ids in execution order. bytes: size of each value. external: bound elsewhere.
// live_to_end: values read after the schedule finishes (losses, predictions).
MemoryPlan plan_memory(const Graph& g, const std::vector<int>& schedule, const std::vector<size_t>& bytes,
                       const std::vector<char>& external, const std::vector<char>& live_to_end);

// True when `plan` (made for larger shapes) can hold values of sizes `bytes` at the same offsets.
bool plan_fits(const MemoryPlan& plan, const std::vector<size_t>& planned_bytes, const std::vector<size_t>& bytes);

}  // namespace pkc
