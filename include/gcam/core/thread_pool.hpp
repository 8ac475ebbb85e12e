// thread_pool.hpp — a fixed set of std::threads that run parallel loops.
//
// The workers are created once. Between calls each one spins for a short
// while, watching for the next loop, and only then sleeps (src/core/spin_wait.hpp:
// waking a sleeping thread cost tens of microseconds on a virtual machine);
// the calling thread waits for the workers the same way. Work is split into contiguous,
// equal chunks decided only by the loop size and the thread count, so the
// same thread count always gives the same split and bit-identical results.
// Only the fast kernels use it; the reference path never starts a thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gcam {

class ThreadPool {
 public:
  // `threads` ≥ 1 counts the calling thread: ThreadPool(2) starts one worker.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Runs body(begin, end) over [0, count) split into at most threads()
  // contiguous chunks, one per thread, and returns when all are done. If
  // chunks threw, the first chunk's exception is rethrown here, after every
  // chunk has finished (never while a worker still runs body).
  void parallel_for(int count, const std::function<void(int begin, int end)>& body);

 private:
  void worker_loop(int index);
  static std::exception_ptr run_chunk(const std::function<void(int, int)>& body, int begin, int end);

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  // Written under mutex_ before generation_ moves on; read after it has.
  const std::function<void(int, int)>* job_ = nullptr;
  int job_count_ = 0;
  std::atomic<long> generation_{0};  // one more for each loop: what a spinning worker watches
  std::atomic<int> pending_{0};      // workers still running the current loop
  std::atomic<bool> stopping_{false};
  // What chunk t of the current loop threw (slot t is written by its thread
  // only, read by the caller once pending_ is 0).
  std::vector<std::exception_ptr> errors_;
};

// Runs body over [0, count) on `pool`, or inline on this thread when pool is null.
void parallel_for(ThreadPool* pool, int count, const std::function<void(int begin, int end)>& body);

// `pool` if `work` (values touched, or multiply-adds) is at least `minimum`,
// else nullptr: waking a pool whose workers have gone to sleep costs tens of
// microseconds, more than a small loop takes on one thread (a batch-1
// Grad-CAM run now and then). Kernels split their work so
// that the results never depend on this choice.
inline ThreadPool* pool_if_worth(ThreadPool* pool, double work, double minimum = 1 << 18) {
  return work >= minimum ? pool : nullptr;
}

// Data parallelism over a batch: how many parts to cut `items` images into —
// one per thread, but at least 8 images per part (else splitting costs more
// than it saves); 1 without a pool.
int batch_parts(const ThreadPool* pool, int items);

// Cuts [0, items) into `parts` contiguous ranges, part t = [items·t/parts,
// items·(t+1)/parts), and runs body(t, begin, end) for each, side by side on
// the pool's threads. An exception thrown by a part is rethrown here, on the
// calling thread, after all parts have finished.
void run_parts(ThreadPool* pool, int items, int parts, const std::function<void(int part, int begin, int end)>& body);

}  // namespace gcam
