// workspace.hpp — spare buffers kept between batches.
//
// A training step records the same ops on the same shapes every time. A Tape
// given a Workspace takes its output and gradient buffers from it and gives
// them back when it is cleared or destroyed, so after the first step the big
// buffers are reused instead of allocated again. Contents are never relied
// upon: outputs are overwritten in full, gradients start as zeros.
#pragma once

#include <cstddef>
#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

class Workspace {
 public:
  // A tensor of `shape` (values unspecified), from a spare buffer whose
  // capacity fits, else newly allocated.
  Tensor take(const Shape& shape);
  // The same, filled with zeros.
  Tensor take_zeros(const Shape& shape);
  // Keeps t's storage for a later take().
  void give(Tensor&& t);

  // Index buffers (max-pool winners), likewise.
  std::vector<int> take_indices(std::size_t size);
  void give(std::vector<int>&& v);

  // How many times take() or take_indices() had to allocate (for tests and the benchmark).
  std::size_t allocations() const { return allocations_; }
  // How many spare buffers it holds: steady from step to step once every op
  // takes what it gives back (a test holds it to that).
  std::size_t spares() const { return spare_.size() + spare_indices_.size(); }

 private:
  std::vector<Tensor> spare_;
  std::vector<std::vector<int>> spare_indices_;
  std::size_t allocations_ = 0;
};

}  // namespace gcam
