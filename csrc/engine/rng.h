// Epoch row orders from the counter-based Philox RNG (see core/philox.h).
#pragma once
#include <cstdint>
#include <vector>

#include "core/philox.h"

namespace pkc {

// Uniform integer in [0, bound) for draw `i` of stream (seed, stream).
uint32_t philox_below(uint64_t seed, uint64_t stream, uint64_t i, uint32_t bound);

// The row order of one epoch: identity, a full shuffle, or shuffled whole batches ("batch").
enum class ShuffleMode { none, full, batch };
std::vector<int64_t> epoch_order(int64_t n, int64_t batch_size, ShuffleMode mode, uint64_t seed, uint64_t epoch);

}  // namespace pkc
