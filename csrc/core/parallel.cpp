// Persistent worker threads woken per parallel_for call; the caller runs chunk 0. Workers and
// the waiting caller spin briefly on atomics before sleeping on a condition variable: GEMMs and
// updates come back to back within a training step, and a futex wake-up costs tens of µs on a
// VM. Spins are bounded in time (the machine may be shared): never spin-wait without a limit.
#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace pkc {

namespace {

// How long a worker keeps polling for the next region, and the caller for the workers'
// completion, before blocking. Long enough to bridge the gaps between the GEMMs of one step
// (epilogues, loss, small ops) and between steps: waking a sleeping vCPU costs far more on this
// VM (mlp step at 2 threads, bench BM_step: 100 µs spins 5.0 ms, 1 ms spins 4.3-4.5 ms with
// thread CPU time = wall time), while an idle pool burns at most 1 ms per thread once.
constexpr std::chrono::microseconds kSpin{1000};

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#else
  std::this_thread::yield();
#endif
}

// Polls ready() for up to kSpin; true if it became true meanwhile.
template <typename Ready>
bool spin_until(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (ready()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return ready();
  }
}

// True on a thread that is running a chunk of a parallel region (worker or caller): a nested
// parallel_for (e.g. a GEMM inside a chunk) then runs inline instead of waiting on itself.
thread_local bool t_in_region = false;

struct RegionScope {
  RegionScope() { t_in_region = true; }
  ~RegionScope() { t_in_region = false; }
};

class Pool {
 public:
  ~Pool() { resize(1); }

  void resize(int n) {
    n = std::max(1, n);
    std::lock_guard<std::mutex> call(call_mu_);
    if (n == threads_.load(std::memory_order_relaxed)) return;
    stop_ = true;
    publish();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    // Workers answer only regions started after they exist (not the resize that made them).
    const uint64_t g = generation_.load();
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, g] { work(i, g); });
    threads_.store(n, std::memory_order_relaxed);
  }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void run(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn) {
    if (t_in_region) {
      fn(0, n);
      return;
    }
    // One parallel region at a time; a second thread arriving meanwhile computes inline (the
    // result is the same for any split), rather than queueing behind the first.
    std::unique_lock<std::mutex> call(call_mu_, std::try_to_lock);
    const int64_t most = n / std::max<int64_t>(1, min_chunk);
    const int t = static_cast<int>(std::min<int64_t>(threads_.load(std::memory_order_relaxed), std::max<int64_t>(1, most)));
    if (!call.owns_lock() || t <= 1) {
      RegionScope in;
      fn(0, n);
      return;
    }
    fn_ = &fn;
    n_ = n;
    parts_ = t;
    // Every worker acknowledges every region, used or not, so none can still be reading the
    // job fields when the next region rewrites them.
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    publish();
    {
      RegionScope in;
      struct Join {  // waits for the workers even if fn throws: they hold a pointer to it
        Pool* p;
        ~Join() { p->wait_done(); }
      } join{this};
      fn(0, n * 1 / t);
    }
    fn_ = nullptr;
  }

 private:
  // Starts a region: the job fields are written before the generation bump (release); sleepers
  // are checked after it. Both are seq_cst, pairing with work(): either the worker sees the new
  // generation before sleeping, or we see it counted in sleepers_ and notify it.
  void publish() {
    generation_.fetch_add(1);
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lk(mu_);
      work_cv_.notify_all();
    }
  }

  void wait_done() {
    if (spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; })) return;
    std::unique_lock<std::mutex> lk(mu_);
    caller_asleep_.store(true);
    done_cv_.wait(lk, [this] { return pending_.load() == 0; });
    caller_asleep_.store(false);
  }

  void work(int index, uint64_t seen) {
    for (;;) {
      seen = next_generation(seen);
      if (stop_) return;
      if (index < parts_) {
        RegionScope in;
        (*fn_)(n_ * index / parts_, n_ * (index + 1) / parts_);
      }
      // seq_cst pairs with wait_done(): either the caller sees 0 before sleeping, or we see it
      // asleep and wake it (under mu_, so the notify cannot slip in before its wait).
      if (pending_.fetch_sub(1) == 1 && caller_asleep_.load()) {
        std::lock_guard<std::mutex> lk(mu_);
        done_cv_.notify_one();
      }
    }
  }

  uint64_t next_generation(uint64_t seen) {
    uint64_t g = seen;
    if (spin_until([&] { return (g = generation_.load(std::memory_order_acquire)) != seen; })) return g;
    std::unique_lock<std::mutex> lk(mu_);
    sleepers_.fetch_add(1);
    work_cv_.wait(lk, [&] { return (g = generation_.load()) != seen; });
    sleepers_.fetch_sub(1);
    return g;
  }

  std::mutex call_mu_, mu_;
  std::condition_variable work_cv_, done_cv_;
  std::vector<std::thread> workers_;
  // The job: written by the caller before publish(), read by workers after they see it.
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 1;
  bool stop_ = false;
  std::atomic<uint64_t> generation_{0};
  std::atomic<int> pending_{0}, sleepers_{0}, threads_{1};
  std::atomic<bool> caller_asleep_{false};
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void set_engine_threads(int n) { pool().resize(n); }
int engine_threads() { return pool().threads(); }

void parallel_for(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  pool().run(n, min_chunk, fn);
}

}  // namespace pkc
