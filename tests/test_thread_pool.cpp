// The thread pool and the meeting point of a data-parallel batch: every index
// run once, in the fixed chunks the results' bits depend on, whether the
// workers were spinning or asleep when a loop came (src/core/spin_wait.hpp);
// errors of a chunk or a part come back to the caller once all have finished;
// the parts' sums add up in part order.
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "gcam/core/part_sums.hpp"
#include "gcam/core/thread_pool.hpp"

using namespace gcam;

namespace {

// Runs one parallel_for of `count` and checks that every index ran once, in
// chunk t = [count·t/T, count·(t+1)/T) of T threads.
void require_each_index_once(ThreadPool& pool, int count) {
  std::vector<std::atomic<int>> hits(static_cast<std::size_t>(count));
  std::vector<std::atomic<int>> chunk_ends(static_cast<std::size_t>(count) + 1);
  pool.parallel_for(count, [&](int begin, int end) {
    chunk_ends[static_cast<std::size_t>(begin)] = end;
    for (int i = begin; i < end; ++i) ++hits[static_cast<std::size_t>(i)];
  });
  for (int i = 0; i < count; ++i) REQUIRE(hits[static_cast<std::size_t>(i)] == 1);
  const int parts = count == 1 ? 1 : pool.threads();
  for (int t = 0; t < parts; ++t) {
    const int begin = int(long(count) * t / parts), end = int(long(count) * (t + 1) / parts);
    if (begin < end) REQUIRE(chunk_ends[static_cast<std::size_t>(begin)] == end);
  }
}

// An error that counts its living copies.
struct CountedError : std::runtime_error {
  static inline std::atomic<int> alive{0};
  explicit CountedError(const char* what) : std::runtime_error(what) { ++alive; }
  CountedError(const CountedError& other) : std::runtime_error(other) { ++alive; }
  ~CountedError() override { --alive; }
};

}  // namespace

TEST_CASE("parallel_for runs every index once, in chunks fixed by the count and the thread count", "[threads][float]") {
  for (int threads : {1, 2, 3, 4}) {
    ThreadPool pool(threads);
    INFO(threads << " threads");
    for (int round = 0; round < 200; ++round)  // back to back: the workers are still spinning
      for (int count : {0, 1, 2, 5, 64, 1000}) require_each_index_once(pool, count);
    for (int round = 0; round < 3; ++round) {  // after a pause: the workers have gone to sleep
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      require_each_index_once(pool, 97);
    }
  }
}

TEST_CASE("a pool can be destroyed while its workers spin or sleep", "[threads][float]") {
  for (int pause_ms : {0, 5}) {  // 0: still spinning; 5 ms: long past the spin, asleep
    ThreadPool pool(3);
    std::atomic<int> calls{0};
    pool.parallel_for(3, [&](int, int) { ++calls; });
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    REQUIRE(calls == 3);
  }  // each destructor must wake its workers and join them (a hang fails the run)
}

TEST_CASE("parallel_for rethrows a chunk's error on the caller only after every chunk has finished",
          "[threads][float]") {
  ThreadPool pool(3);
  for (int thrower : {0, 1, 2}) {  // chunk 0 runs on the caller, 1 and 2 on the workers
    INFO("chunk " << thrower << " throws");
    std::atomic<int> finished{0};
    REQUIRE_THROWS_WITH(pool.parallel_for(3,
                                          [&](int begin, int) {
                                            if (begin == thrower) throw std::runtime_error("chunk failed");
                                            std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                            ++finished;
                                          }),
                        "chunk failed");
    REQUIRE(finished == 2);  // the other two chunks ran to the end before the error came back
  }
  REQUIRE_THROWS_WITH(pool.parallel_for(3, [](int begin, int) { throw CountedError(begin ? "late" : "first"); }),
                      "first");       // several failed: the first chunk's error
  REQUIRE(CountedError::alive == 0);  // and the others were let go, not kept in the pool
  require_each_index_once(pool, 64);  // and the pool still works
}

TEST_CASE("run_parts rethrows a part's error on the caller after every part has finished", "[threads][float]") {
  ThreadPool pool(2);
  std::atomic<bool> other_finished{false};
  REQUIRE_THROWS_WITH(run_parts(&pool, 10, 2,
                                [&](int part, int, int) {
                                  if (part == 1) throw std::runtime_error("part 1 failed");
                                  std::this_thread::sleep_for(std::chrono::milliseconds(2));
                                  other_finished = true;
                                }),
                      "part 1 failed");
  REQUIRE(other_finished);
}

TEST_CASE("PartSums adds the parts' values in part order, round after round, and stops when one fails",
          "[threads][float]") {
  PartSums sums(2);
  ThreadPool pool(2);
  std::vector<std::vector<double>> seen(2);
  run_parts(&pool, 2, 2, [&](int part, int, int) {
    for (int round = 0; round < 50; ++round) {
      const std::vector<double> total = sums.total(part, {double(part + 1), double(round)});
      if (total != std::vector<double>{3.0, 2.0 * round}) throw std::logic_error("wrong total");
      seen[static_cast<std::size_t>(part)] = total;
    }
  });
  REQUIRE(seen[0] == std::vector<double>{3.0, 98.0});
  REQUIRE(seen[1] == seen[0]);

  PartSums failing(2);
  std::atomic<bool> part0_threw{false};
  std::thread waiting([&] {  // Catch's assertions belong to the test's own thread
    try {
      failing.total(0, {1.0});
    } catch (const std::runtime_error&) {
      part0_threw = true;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  failing.abandon();  // part 1 gave up: part 0 must not wait for it forever
  waiting.join();
  REQUIRE(part0_threw);
  REQUIRE_THROWS_AS(failing.total(1, {1.0}), std::runtime_error);
}
