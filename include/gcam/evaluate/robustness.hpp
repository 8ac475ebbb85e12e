// robustness.hpp — does the map stay put when the image barely changes? The
// Quantus "robustness" family. These re-run the explanation method (an
// ExplainFunction, faithfulness.hpp) on perturbed copies of the images, for
// the same classes; maps (N, 1, H, W) as in faithfulness.hpp.
// Definitions and tests: docs/metrics.md, "Quantus families".
#pragma once

#include <cstdint>

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

// The relative change of a map, ‖after − before‖₂ / ‖before‖₂ over all
// elements (shapes must match). 0 when both are all zero; +∞ when only
// `before` is (any change of an all-zero map is infinitely large relative to it).
double relative_change(const Tensor& before, const Tensor& after);

// The ratio of the local Lipschitz estimate, ‖Φ(x') − Φ(x)‖₂ / ‖x' − x‖₂, for
// maps Φ and images x (each pair of the same shape). 0 when x' = x.
double lipschitz_ratio(const Tensor& map, const Tensor& perturbed_map, const Tensor& image,
                       const Tensor& perturbed_image);

struct RobustnessResult {
  ImageScores max_sensitivity;  // max_s relative_change(Φ(x), Φ(x + δ_s))   (lower is better)
  ImageScores avg_sensitivity;  // mean_s of the same                        (lower is better)
  ImageScores local_lipschitz;  // max_s lipschitz_ratio(...)                (lower is better)
};

// Max-sensitivity and average-sensitivity (Yeh et al. 2019), and the local
// Lipschitz estimate (Alvarez-Melis & Jaakkola 2018), all from the same
// `samples` perturbations δ_s, uniform in the L∞ ball of radius `radius`
// (every element of every channel independently in [−radius, radius), Rng(seed)),
// with the classes held fixed:
//   SENS_max = max_s ‖Φ(x+δ_s) − Φ(x)‖ / ‖Φ(x)‖,   SENS_avg = (1/S) Σ_s (same),
//   L = max_s ‖Φ(x+δ_s) − Φ(x)‖ / ‖δ_s‖.
// A method that ignores its input scores 0 on all three; Φ(x) = a·x scores
// L = |a| exactly and SENS = ‖δ‖/‖x‖ (the scale cancels). Calls `explain`
// samples + 1 times on the whole batch. The images are not clipped to [0, 1].
RobustnessResult robustness(Model& model, const ExplainFunction& explain, const Tensor& images,
                            const std::vector<int>& classes, double radius = 0.02, int samples = 4,
                            std::uint64_t seed = 19);

}  // namespace gcam
