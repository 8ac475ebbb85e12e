#include "gcam/core/thread_pool.hpp"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <utility>

#include "spin_wait.hpp"

namespace gcam {

using core_detail::spin_until;

// Chunk t of `count` items split into `parts`: [count·t/parts, count·(t+1)/parts).
static int chunk_begin(int count, int parts, int t) {
  return static_cast<int>(static_cast<long long>(count) * t / parts);
}

ThreadPool::ThreadPool(int threads) : threads_(threads) {
  if (threads < 1) throw std::invalid_argument("thread pool: need at least 1 thread, got " + std::to_string(threads));
  errors_.resize(std::size_t(threads));
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::worker_loop(int index) {
  long seen = 0;
  for (;;) {
    spin_until([&] { return generation_.load(std::memory_order_acquire) != seen || stopping_; });
    const std::function<void(int, int)>* job;
    int count;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      job = job_;
      count = job_count_;
    }
    const int begin = chunk_begin(count, threads_, index), end = chunk_begin(count, threads_, index + 1);
    errors_[std::size_t(index)] = run_chunk(*job, begin, end);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);  // so that a caller about to sleep cannot miss it
      done_.notify_one();
    }
  }
}

// body(begin, end) if the chunk is not empty; what it threw, if it threw.
std::exception_ptr ThreadPool::run_chunk(const std::function<void(int, int)>& body, int begin, int end) {
  try {
    if (begin < end) body(begin, end);
  } catch (...) {
    return std::current_exception();
  }
  return nullptr;
}

void ThreadPool::parallel_for(int count, const std::function<void(int, int)>& body) {
  if (count <= 0) return;
  if (threads_ == 1 || count == 1) return body(0, count);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &body;
    job_count_ = count;
    pending_ = threads_ - 1;
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();  // no system call while every worker is still spinning
  errors_[0] = run_chunk(body, 0, chunk_begin(count, threads_, 1));  // the calling thread takes chunk 0
  // Even when chunk 0 threw, wait: the workers are still running body.
  if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
  }
  std::exception_ptr first;  // every slot emptied, so that no error outlives its loop
  for (std::exception_ptr& e : errors_)
    if (std::exception_ptr error = std::exchange(e, nullptr); error && !first) first = error;
  if (first) std::rethrow_exception(first);
}

int batch_parts(const ThreadPool* pool, int items) {
  constexpr int kMinItemsPerPart = 8;
  return pool ? std::max(1, std::min(pool->threads(), items / kMinItemsPerPart)) : 1;
}

void run_parts(ThreadPool* pool, int items, int parts, const std::function<void(int, int, int)>& body) {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(parts));
  parallel_for(pool, parts, [&](int begin, int end) {
    for (int t = begin; t < end; ++t) try {
        body(t, chunk_begin(items, parts, t), chunk_begin(items, parts, t + 1));
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();  // the chunk's later parts still run
      }
  });
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}

void parallel_for(ThreadPool* pool, int count, const std::function<void(int, int)>& body) {
  if (pool)
    pool->parallel_for(count, body);
  else if (count > 0)
    body(0, count);
}

}  // namespace gcam
