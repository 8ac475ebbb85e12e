// predict.hpp — inference: a model's logits for a batch, with nothing kept for backward.
#pragma once

#include <vector>

#include "gcam/core/workspace.hpp"
#include "gcam/nn/model.hpp"

namespace gcam {

class ThreadPool;

// The logits (N, classes) of a batch, without recording gradients for later.
// With a pool the batch is cut into one part per thread (run_parts), run side
// by side and joined in order, so the result depends on the thread count only
// through the fast kernels' grouping of sums. With `workspaces` (one per part,
// grown as needed; keep the vector between calls) the activations reuse the
// buffers of the previous call instead of allocating them again: the same
// results, less time in the allocator and in first-touch page faults.
Tensor predict(Model& model, const Tensor& images, Kernels kernels = Kernels::Fast, ThreadPool* pool = nullptr,
               std::vector<Workspace>* workspaces = nullptr);

// The predicted class of each image: the index of the largest logit of each
// row of `logits` (N, classes); the first one when several are equal.
std::vector<int> predicted_classes(const Tensor& logits);

}  // namespace gcam
