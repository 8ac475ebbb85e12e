// Class probabilities p_c = softmax(z)_c in batches: the score every
// perturbation metric of faithfulness.hpp measures.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/nn/predict.hpp"

namespace gcam {

std::vector<double> class_probabilities(Model& model, const Tensor& images, const std::vector<int>& classes,
                                        Kernels kernels, ThreadPool* pool, int batch) {
  if (images.rank() != 4)
    throw ShapeError("class_probabilities: images must be (N, C, H, W), got " + shape_string(images.shape()));
  const int N = images.dim(0);
  if (int(classes.size()) != N)
    throw std::invalid_argument("class_probabilities: " + std::to_string(classes.size()) + " classes for " +
                                std::to_string(N) + " images");
  for (int c : classes)
    if (c < 0 || c >= model.classes())
      throw std::invalid_argument("class_probabilities: class " + std::to_string(c) + " out of range");
  std::vector<double> out(static_cast<std::size_t>(N));
  Tensor part;
  std::vector<Workspace> workspaces;  // the same shapes batch after batch: reuse the buffers
  batch = std::max(1, batch);
  for (int begin = 0; begin < N; begin += batch) {
    const int end = std::min(N, begin + batch);
    slice_batch(images, begin, end, part);
    const Tensor logits = predict(model, part, kernels, pool, &workspaces);
    const int K = logits.dim(1);
    for (int i = 0; i < end - begin; ++i) {
      // softmax(z)_c = exp(z_c − max z) / Σ_k exp(z_k − max z)
      double top = logits.at(i, 0);
      for (int k = 1; k < K; ++k) top = std::max(top, double(logits.at(i, k)));
      double sum = 0;
      for (int k = 0; k < K; ++k) sum += std::exp(double(logits.at(i, k)) - top);
      out[std::size_t(begin + i)] = std::exp(double(logits.at(i, classes[std::size_t(begin + i)])) - top) / sum;
    }
  }
  return out;
}

ScoreFunction probability_scorer(Model& model, Kernels kernels, ThreadPool* pool, int batch) {
  return [&model, kernels, pool, batch](const Tensor& images, const std::vector<int>& classes) {
    return class_probabilities(model, images, classes, kernels, pool, batch);
  };
}

}  // namespace gcam
