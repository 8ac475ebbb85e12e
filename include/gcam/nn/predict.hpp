// predict.hpp — inference: a model's logits for a batch, with nothing kept for backward.
#pragma once

#include "gcam/nn/model.hpp"

namespace gcam {

class ThreadPool;

// The logits (N, classes) of a batch, without recording gradients for later.
// With a pool the batch is cut into one part per thread (run_parts), run side
// by side and joined in order, so the result depends on the thread count only
// through the fast kernels' grouping of sums.
Tensor predict(Model& model, const Tensor& images, Kernels kernels = Kernels::Fast, ThreadPool* pool = nullptr);

}  // namespace gcam
