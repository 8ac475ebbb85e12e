// part_sums.hpp — where the parts of a data-parallel batch add up their sums.
//
// Training cuts a batch into one part per thread, each on its own tape
// (train_step). Most ops never look across images, so the parts need not
// meet until the gradients are added. Batch normalization does: its mean and
// variance are those of the whole batch. So each part hands its per-channel
// sums to a PartSums, waits until every part has done so, and gets back the
// totals, added in part order (0, 1, ...) so that the same thread count
// always gives the same bits (PyTorch's SyncBatchNorm does the same across
// processes with an all-reduce).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <vector>

namespace gcam {

class PartSums {
 public:
  // `parts` ≥ 1 parts will call total() the same number of times, in the same order.
  explicit PartSums(int parts);
  PartSums(const PartSums&) = delete;
  PartSums& operator=(const PartSums&) = delete;

  int parts() const { return parts_; }
  // Part `part`'s values in, the element-wise sum over all parts out. Blocks
  // until every part has called it (spinning for a moment first, then asleep:
  // src/core/spin_wait.hpp). Throws std::runtime_error if the round
  // was abandoned (another part failed before reaching it).
  std::vector<double> total(int part, const std::vector<double>& values);
  // Called by a part that stops early (an exception): every waiting and
  // future total() throws instead of waiting forever.
  void abandon();

 private:
  int parts_;
  std::mutex mutex_;
  std::condition_variable all_in_;
  std::vector<std::vector<double>> slots_;
  std::vector<double> sum_;
  int arrived_ = 0;
  // Written under mutex_; atomic because a waiting part reads both without
  // the lock while it spins.
  std::atomic<long> round_{0};
  std::atomic<bool> abandoned_{false};
};

}  // namespace gcam
