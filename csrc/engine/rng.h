// Counter-based RNG (Philox4x32-10): random numbers are a pure function of (key, counter), so
// epoch shuffles and dropout masks are reproducible from a seed on any backend and thread.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace pkc {

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter, std::array<uint32_t, 2> key);

// Uniform integer in [0, bound) for draw `i` of stream (seed, stream).
uint32_t philox_below(uint64_t seed, uint64_t stream, uint64_t i, uint32_t bound);

// The row order of one epoch: identity, a full shuffle, or shuffled whole batches ("batch").
enum class ShuffleMode { none, full, batch };
std::vector<int64_t> epoch_order(int64_t n, int64_t batch_size, ShuffleMode mode, uint64_t seed, uint64_t epoch);

}  // namespace pkc
