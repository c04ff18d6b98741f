// Persistent worker threads woken per parallel_for call; the caller runs chunk 0.
#include "core/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pkc {

namespace {

class Pool {
 public:
  ~Pool() { resize(1); }

  void resize(int n) {
    n = std::max(1, n);
    std::lock_guard<std::mutex> call(call_mu_);
    {
      std::unique_lock<std::mutex> lk(mu_);
      stop_ = true;
      ++generation_;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
    stop_ = false;
    threads_ = n;
    // Workers answer only regions started after they exist (not the resize that made them).
    for (int i = 1; i < n; ++i) workers_.emplace_back([this, i, g = generation_] { work(i, g); });
  }

  int threads() const { return threads_; }

  void run(int64_t n, int64_t min_chunk, const std::function<void(int64_t, int64_t)>& fn) {
    int t = static_cast<int>(std::min<int64_t>(threads_, std::max<int64_t>(1, n / std::max<int64_t>(1, min_chunk))));
    if (t <= 1) {
      fn(0, n);
      return;
    }
    std::lock_guard<std::mutex> call(call_mu_);  // one parallel region at a time
    {
      std::unique_lock<std::mutex> lk(mu_);
      fn_ = &fn;
      n_ = n;
      parts_ = t;
      pending_ = t - 1;
      ++generation_;
    }
    cv_.notify_all();
    fn(0, chunk_end(0));
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [this] { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  int64_t chunk_end(int i) const { return n_ * (i + 1) / parts_; }

  void work(int index, uint64_t seen) {
    for (;;) {
      const std::function<void(int64_t, int64_t)>* fn;
      int64_t begin, end;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        if (index >= parts_) continue;
        fn = fn_;
        begin = n_ * index / parts_;
        end = chunk_end(index);
      }
      (*fn)(begin, end);
      std::lock_guard<std::mutex> lk(mu_);
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  std::mutex call_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 1, pending_ = 0, threads_ = 1;
  uint64_t generation_ = 0;
  bool stop_ = false;
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
