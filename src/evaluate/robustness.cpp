// Max- and average-sensitivity and the local Lipschitz estimate: the map of
// the method re-run on images perturbed in a small L∞ ball.
#include "gcam/evaluate/robustness.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "evaluate_internal.hpp"
#include "gcam/core/rng.hpp"

namespace gcam {

using evaluate_detail::l2_norm;

namespace {

// ‖a − b‖₂ for tensors of the same shape; `op` names the caller in errors.
double distance(const char* op, const Tensor& a, const Tensor& b) {
  require_same_shape(op, a, b);
  double sum = 0;
  for (std::size_t e = 0; e < a.size(); ++e) {
    const double d = double(a[e]) - double(b[e]);
    sum += d * d;
  }
  return std::sqrt(sum);
}

// The mean of scores already gathered per image.
void finish(ImageScores& s) { s = evaluate_detail::mean_of(std::move(s.per_image)); }

}  // namespace

// ‖after − before‖₂ / ‖before‖₂ (0 if both are zero, +∞ if only `before` is).
double relative_change(const Tensor& before, const Tensor& after) {
  const double change = distance("relative_change", before, after), norm = l2_norm(before);
  if (norm > 0) return change / norm;
  return change > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

// Local Lipschitz ratio (Alvarez-Melis & Jaakkola 2018): ‖Φ(x') − Φ(x)‖₂ / ‖x' − x‖₂.
double lipschitz_ratio(const Tensor& map, const Tensor& perturbed_map, const Tensor& image,
                       const Tensor& perturbed_image) {
  const double step = distance("lipschitz_ratio", image, perturbed_image);
  return step > 0 ? distance("lipschitz_ratio", map, perturbed_map) / step : 0.0;
}

// Max/avg sensitivity (Yeh et al. 2019) and local Lipschitz estimate over uniform δ in the L∞ ball.
RobustnessResult robustness(Model& model, const ExplainFunction& explain, const Tensor& images,
                            const std::vector<int>& classes, double radius, int samples, std::uint64_t seed) {
  if (!(radius > 0) || samples < 1)
    throw std::invalid_argument("robustness: need radius > 0 and samples >= 1, got " + std::to_string(radius) +
                                " and " + std::to_string(samples));
  const Tensor maps = explain(model, images, classes);
  evaluate_detail::check_maps("robustness", images, maps, classes);
  const int N = images.dim(0);
  RobustnessResult r;
  r.max_sensitivity.per_image.assign(std::size_t(N), 0.0);
  r.avg_sensitivity.per_image.assign(std::size_t(N), 0.0);
  r.local_lipschitz.per_image.assign(std::size_t(N), 0.0);
  Rng rng(seed);
  for (int s = 0; s < samples; ++s) {
    Tensor moved = images;
    for (std::size_t e = 0; e < moved.size(); ++e) moved[e] = Scalar(double(moved[e]) + rng.uniform(-radius, radius));
    const Tensor moved_maps = explain(model, moved, classes);
    evaluate_detail::check_maps("robustness", moved, moved_maps, classes);
    for (int n = 0; n < N; ++n) {
      const Tensor m = slice_batch(maps, n, n + 1), m2 = slice_batch(moved_maps, n, n + 1);
      const double sens = relative_change(m, m2);
      const double lip = lipschitz_ratio(m, m2, slice_batch(images, n, n + 1), slice_batch(moved, n, n + 1));
      auto& max_sens = r.max_sensitivity.per_image[std::size_t(n)];
      auto& max_lip = r.local_lipschitz.per_image[std::size_t(n)];
      max_sens = std::max(max_sens, sens);
      max_lip = std::max(max_lip, lip);
      r.avg_sensitivity.per_image[std::size_t(n)] += sens / samples;
    }
  }
  finish(r.max_sensitivity);
  finish(r.avg_sensitivity);
  finish(r.local_lipschitz);
  return r;
}

}  // namespace gcam
