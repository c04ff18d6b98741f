// Fisher-Yates epoch orders over Philox4x32-10 (Salmon et al., SC'11).
#include "engine/rng.h"

#include <algorithm>
#include <cstddef>
#include <numeric>

namespace pkc {

uint32_t philox_below(uint64_t seed, uint64_t stream, uint64_t i, uint32_t bound) {
  Philox4 r = philox_draw(seed, stream, i);
  uint64_t wide = (static_cast<uint64_t>(r.v[0]) << 32) | r.v[1];
  return static_cast<uint32_t>((static_cast<unsigned __int128>(wide) * bound) >> 64);
}

std::vector<int64_t> epoch_order(int64_t n, int64_t batch_size, ShuffleMode mode, uint64_t seed, uint64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (mode == ShuffleMode::full) {
    for (int64_t i = n - 1; i > 0; --i) {
      int64_t j = philox_below(seed, epoch, static_cast<uint64_t>(i), static_cast<uint32_t>(i + 1));
      std::swap(order[i], order[j]);
    }
  } else if (mode == ShuffleMode::batch && batch_size > 0) {
    // Shuffle the order of the full batches; a partial last batch stays last, so every step
    // still reads a contiguous chunk of batch_size rows (the documented HDF5-friendly mode).
    int64_t nb = n / batch_size;
    std::vector<int64_t> batches(nb);
    std::iota(batches.begin(), batches.end(), int64_t{0});
    for (int64_t i = nb - 1; i > 0; --i)
      std::swap(batches[i], batches[philox_below(seed, epoch, static_cast<uint64_t>(i), static_cast<uint32_t>(i + 1))]);
    size_t k = 0;
    for (int64_t b : batches)
      for (int64_t r = b * batch_size; r < (b + 1) * batch_size; ++r) order[k++] = r;
  }
  return order;
}

}  // namespace pkc
