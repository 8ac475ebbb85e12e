// randomisation.hpp — does the map depend on what is explained? The Quantus
// "randomisation" family: the model-parameter randomisation test
// (cascading_randomization) is in faithfulness.hpp; the random-logit test is
// here. Both re-run the method (an ExplainFunction).
// Definitions and tests: docs/metrics.md, "Quantus families".
#pragma once

#include <cstdint>

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

// Random logit (Sixt et al. 2020): for each image, a class c' drawn uniformly
// from the model's other classes (Rng(seed), image after image), and
//   ρ = spearman(Φ(x, c), Φ(x, c'))
// over the H·W pixels. A class-independent method scores 1 (unless its map
// is constant, where spearman gives 0); a map that changes with the class
// scores lower. Lower is better. Spearman rather than SSIM (Quantus' default):
// it compares the rankings the other metrics here use. Calls `explain` twice.
// Needs a model with at least 2 classes.
ImageScores random_logit(Model& model, const ExplainFunction& explain, const Tensor& images,
                         const std::vector<int>& classes, std::uint64_t seed = 23);

}  // namespace gcam
