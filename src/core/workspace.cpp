#include "gcam/core/workspace.hpp"

#include <algorithm>

namespace gcam {

namespace {

// The spare whose capacity fits `size` most tightly (at most twice as large,
// so a small request does not hold on to a huge buffer); -1 if none.
template <typename Buffers, typename Capacity>
int best_fit(const Buffers& spare, std::size_t size, Capacity capacity) {
  int best = -1;
  for (std::size_t i = 0; i < spare.size(); ++i) {
    const std::size_t c = capacity(spare[i]);
    if (c < size || c > 2 * size + 64) continue;
    if (best < 0 || c < capacity(spare[static_cast<std::size_t>(best)])) best = static_cast<int>(i);
  }
  return best;
}

// Removes spare i in O(1): the last one takes its place (the order of the
// spares does not matter, only their capacities).
template <typename Buffers>
typename Buffers::value_type remove_spare(Buffers& spare, int i) {
  typename Buffers::value_type taken = std::move(spare[static_cast<std::size_t>(i)]);
  if (static_cast<std::size_t>(i) + 1 != spare.size()) spare[static_cast<std::size_t>(i)] = std::move(spare.back());
  spare.pop_back();
  return taken;
}

}  // namespace

Tensor Workspace::take(const Shape& shape) {
  const int i = best_fit(spare_, numel(shape), [](const Tensor& t) { return t.capacity(); });
  if (i < 0) {
    ++allocations_;
    return Tensor(shape);
  }
  Tensor t = remove_spare(spare_, i);
  t.resize(shape);
  return t;
}

Tensor Workspace::take_zeros(const Shape& shape) {
  Tensor t = take(shape);
  t.fill(0);
  return t;
}

void Workspace::give(Tensor&& t) {
  if (t.capacity() > 0) spare_.push_back(std::move(t));
}

std::vector<int> Workspace::take_indices(std::size_t size) {
  const int i = best_fit(spare_indices_, size, [](const std::vector<int>& v) { return v.capacity(); });
  if (i < 0) {
    ++allocations_;
    return std::vector<int>(size);
  }
  std::vector<int> v = remove_spare(spare_indices_, i);
  v.resize(size);
  return v;
}

void Workspace::give(std::vector<int>&& v) {
  if (v.capacity() > 0) spare_indices_.push_back(std::move(v));
}

}  // namespace gcam
