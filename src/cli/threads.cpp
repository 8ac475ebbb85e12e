#include <thread>

#include "commands.hpp"

namespace gcam::cli {

std::unique_ptr<ThreadPool> make_pool(long long threads) { return std::make_unique<ThreadPool>(int(threads)); }

std::string default_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return std::to_string(n == 0 ? 1 : n);
}

}  // namespace gcam::cli
