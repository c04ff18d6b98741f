// A small persistent thread pool: the engine's only CPU threads (the BLAS runs single-threaded;
// large GEMMs are split over this pool, see ops/blas.cpp), also used by element-wise passes such
// as the optimizer update. Work is split into fixed contiguous chunks with no cross-thread
// reductions, so results do not depend on the thread count. Below `min_chunk` elements per
// thread the caller's thread does everything (waking workers costs more than it saves).
#pragma once
#include <cstdint>
#include <functional>

namespace pkc {

// Threads used by parallel_for (the calling thread included).
void set_engine_threads(int n);
int engine_threads();

// Calls fn(begin, end) over [0, n) split into contiguous chunks, one per thread. One region
// runs at a time: a call made inside a chunk (nested), or from another thread while a region
// is running, runs fn(0, n) inline on its own thread.
void parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace pkc
