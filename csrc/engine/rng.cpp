// Philox4x32-10 (Salmon et al., SC'11) and Fisher-Yates over it.
#include "engine/rng.h"

#include <algorithm>
#include <cstddef>
#include <numeric>

namespace pkc {

std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> c, std::array<uint32_t, 2> k) {
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u, W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    uint64_t p0 = static_cast<uint64_t>(M0) * c[0];
    uint64_t p1 = static_cast<uint64_t>(M1) * c[2];
    c = {static_cast<uint32_t>(p1 >> 32) ^ c[1] ^ k[0], static_cast<uint32_t>(p1),
         static_cast<uint32_t>(p0 >> 32) ^ c[3] ^ k[1], static_cast<uint32_t>(p0)};
    k[0] += W0;
    k[1] += W1;
  }
  return c;
}

uint32_t philox_below(uint64_t seed, uint64_t stream, uint64_t i, uint32_t bound) {
  auto r = philox4x32({static_cast<uint32_t>(i), static_cast<uint32_t>(i >> 32), static_cast<uint32_t>(stream),
                       static_cast<uint32_t>(stream >> 32)},
                      {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)});
  uint64_t wide = (static_cast<uint64_t>(r[0]) << 32) | r[1];
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
