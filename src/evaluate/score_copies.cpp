// Scoring many perturbed copies of each image in batches (for the Quantus
// faithfulness metrics), and the L2 norm the robustness metrics divide by.
#include <algorithm>
#include <cmath>

#include "evaluate_internal.hpp"

namespace gcam::evaluate_detail {

std::vector<std::vector<double>> score_copies(const ScoreFunction& score, const Tensor& images,
                                              const std::vector<int>& classes, int copies,
                                              const std::function<void(int n, int s, Tensor& x)>& make) {
  const int N = images.dim(0);
  const std::size_t item = images.size() / std::size_t(std::max(1, N));
  std::vector<std::vector<double>> out(static_cast<std::size_t>(N),
                                       std::vector<double>(static_cast<std::size_t>(copies)));
  const int group = std::max(1, 2048 / std::max(1, copies));  // images per call of `score`
  for (int begin = 0; begin < N; begin += group) {
    const int end = std::min(N, begin + group);
    Tensor batch({(end - begin) * copies, images.dim(1), images.dim(2), images.dim(3)});
    std::vector<int> batch_classes;
    for (int n = begin; n < end; ++n) {
      const Tensor original = slice_batch(images, n, n + 1);
      for (int s = 0; s < copies; ++s) {
        Tensor x = original;
        make(n, s, x);
        std::copy(x.data(), x.data() + item, batch.data() + std::size_t((n - begin) * copies + s) * item);
        batch_classes.push_back(classes[std::size_t(n)]);
      }
    }
    const std::vector<double> scores = score(batch, batch_classes);
    for (int n = begin; n < end; ++n)
      for (int s = 0; s < copies; ++s)
        out[std::size_t(n)][std::size_t(s)] = scores[std::size_t((n - begin) * copies + s)];
  }
  return out;
}

double l2_norm(const Tensor& v) {
  double sum = 0;
  for (std::size_t e = 0; e < v.size(); ++e) sum += double(v[e]) * double(v[e]);
  return std::sqrt(sum);
}

}  // namespace gcam::evaluate_detail
