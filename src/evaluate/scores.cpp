// Class probabilities p_c = softmax(z)_c and logits z_c in batches: the
// scores every perturbation metric of faithfulness.hpp measures.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/nn/predict.hpp"

namespace gcam {

namespace {

// One value per image from row i of the logits and the image's class: the
// model runs `batch` images per forward pass. `op` names the caller in errors.
template <typename FromLogits>
std::vector<double> per_image_scores(const char* op, Model& model, const Tensor& images,
                                     const std::vector<int>& classes, Kernels kernels, ThreadPool* pool, int batch,
                                     FromLogits from_logits) {
  if (images.rank() != 4)
    throw ShapeError(std::string(op) + ": images must be (N, C, H, W), got " + shape_string(images.shape()));
  const int N = images.dim(0);
  if (int(classes.size()) != N)
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(classes.size()) + " classes for " +
                                std::to_string(N) + " images");
  for (int c : classes)
    if (c < 0 || c >= model.classes())
      throw std::invalid_argument(std::string(op) + ": class " + std::to_string(c) + " out of range");
  std::vector<double> out(static_cast<std::size_t>(N));
  Tensor part;
  std::vector<Workspace> workspaces;  // the same shapes batch after batch: reuse the buffers
  batch = std::max(1, batch);
  for (int begin = 0; begin < N; begin += batch) {
    const int end = std::min(N, begin + batch);
    slice_batch(images, begin, end, part);
    const Tensor logits = predict(model, part, kernels, pool, &workspaces);
    for (int i = 0; i < end - begin; ++i)
      out[std::size_t(begin + i)] = from_logits(logits, i, classes[std::size_t(begin + i)]);
  }
  return out;
}

}  // namespace

std::vector<double> class_probabilities(Model& model, const Tensor& images, const std::vector<int>& classes,
                                        Kernels kernels, ThreadPool* pool, int batch) {
  return per_image_scores("class_probabilities", model, images, classes, kernels, pool, batch,
                          [](const Tensor& logits, int i, int c) {
                            // softmax(z)_c = exp(z_c − max z) / Σ_k exp(z_k − max z)
                            const int K = logits.dim(1);
                            double top = logits.at(i, 0);
                            for (int k = 1; k < K; ++k) top = std::max(top, double(logits.at(i, k)));
                            double sum = 0;
                            for (int k = 0; k < K; ++k) sum += std::exp(double(logits.at(i, k)) - top);
                            return std::exp(double(logits.at(i, c)) - top) / sum;
                          });
}

std::vector<double> class_logits(Model& model, const Tensor& images, const std::vector<int>& classes, Kernels kernels,
                                 ThreadPool* pool, int batch) {
  return per_image_scores("class_logits", model, images, classes, kernels, pool, batch,
                          [](const Tensor& logits, int i, int c) { return double(logits.at(i, c)); });
}

ScoreFunction probability_scorer(Model& model, Kernels kernels, ThreadPool* pool, int batch) {
  return [&model, kernels, pool, batch](const Tensor& images, const std::vector<int>& classes) {
    return class_probabilities(model, images, classes, kernels, pool, batch);
  };
}

ScoreFunction logit_scorer(Model& model, Kernels kernels, ThreadPool* pool, int batch) {
  return [&model, kernels, pool, batch](const Tensor& images, const std::vector<int>& classes) {
    return class_logits(model, images, classes, kernels, pool, batch);
  };
}

}  // namespace gcam
