// Inference: the logits of a batch, one part of the batch per thread.
#include "gcam/nn/predict.hpp"

#include <algorithm>

#include "gcam/core/thread_pool.hpp"

namespace gcam {

Tensor predict(Model& model, const Tensor& images, Kernels kernels, ThreadPool* pool,
               std::vector<Workspace>* workspaces) {
  const int N = images.rank() ? images.dim(0) : 0;
  const int parts = kernels == Kernels::Fast ? batch_parts(pool, N) : 1;
  if (workspaces && workspaces->size() < std::size_t(parts)) workspaces->resize(std::size_t(parts));
  auto logits_of = [&](const Tensor& batch, ThreadPool* kernel_pool, int part) {
    Tape tape(kernels, kernel_pool, workspaces ? &(*workspaces)[std::size_t(part)] : nullptr);
    const bool fast = kernels == Kernels::Fast;
    return tape.value(model.forward(tape, batch, Fusions{fast, fast}).logits);  // a copy: the tape's buffers go back
  };
  if (parts == 1) return logits_of(images, pool, 0);
  std::vector<Tensor> logits(static_cast<std::size_t>(parts));
  run_parts(pool, N, parts, [&](int t, int first, int last) {
    logits[std::size_t(t)] = logits_of(slice_batch(images, first, last), nullptr, t);
  });
  return concat_batch(logits);
}

std::vector<int> predicted_classes(const Tensor& logits) {
  std::vector<int> classes;
  for (int n = 0; n < logits.dim(0); ++n) {
    const Scalar* row = logits.data() + static_cast<std::size_t>(n) * static_cast<std::size_t>(logits.dim(1));
    classes.push_back(static_cast<int>(std::max_element(row, row + logits.dim(1)) - row));
  }
  return classes;
}

}  // namespace gcam
