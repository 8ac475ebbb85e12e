#include "gcam/core/part_sums.hpp"

#include <stdexcept>
#include <string>

#include "spin_wait.hpp"

namespace gcam {

using core_detail::spin_until;

PartSums::PartSums(int parts) : parts_(parts), slots_(static_cast<std::size_t>(parts > 0 ? parts : 1)) {
  if (parts < 1) throw std::invalid_argument("PartSums: need at least one part, got " + std::to_string(parts));
}

std::vector<double> PartSums::total(int part, const std::vector<double>& values) {
  if (part < 0 || part >= parts_) throw std::invalid_argument("PartSums: no part " + std::to_string(part));
  std::unique_lock<std::mutex> lock(mutex_);
  if (abandoned_) throw std::runtime_error("PartSums: another part of the batch failed");
  slots_[static_cast<std::size_t>(part)] = values;
  const long round = round_;
  if (++arrived_ == parts_) {
    // The last part to arrive adds the slots in part order, not arrival order.
    sum_.assign(values.size(), 0.0);
    for (const auto& slot : slots_) {
      if (slot.size() != sum_.size()) throw std::logic_error("PartSums: parts sent different lengths");
      for (std::size_t i = 0; i < slot.size(); ++i) sum_[i] += slot[i];
    }
    arrived_ = 0;
    round_.fetch_add(1, std::memory_order_release);
    all_in_.notify_all();
    return sum_;
  }
  // Spin first, unlocked, as the pool's threads do (spin_wait.hpp): the parts
  // of a batch arrive close together, and waking a sleeping thread cost
  // resnet-mini's two-thread training about 5 % (27 meetings a step).
  lock.unlock();
  spin_until([&] { return round_.load(std::memory_order_acquire) != round || abandoned_; });
  lock.lock();
  all_in_.wait(lock, [&] { return round_ != round || abandoned_; });
  if (round_ == round) throw std::runtime_error("PartSums: another part of the batch failed");
  return sum_;  // copied under the lock, before any part can start the next round
}

void PartSums::abandon() {
  std::lock_guard<std::mutex> lock(mutex_);
  abandoned_ = true;
  all_in_.notify_all();
}

}  // namespace gcam
