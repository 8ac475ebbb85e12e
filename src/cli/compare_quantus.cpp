// gradcam compare, the Quantus families (docs/metrics.md, "Quantus families"):
// complexity, localisation, faithfulness and completeness on every map; the
// robustness, random-logit and input-invariance scores, which re-run the
// method, on the sanity-check images only.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "compare.hpp"
#include "gcam/evaluate/axiomatic.hpp"
#include "gcam/evaluate/complexity.hpp"
#include "gcam/evaluate/localisation.hpp"
#include "gcam/evaluate/model_faithfulness.hpp"
#include "gcam/evaluate/randomisation.hpp"
#include "gcam/evaluate/robustness.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam::cli::compare {

namespace {

// Complexity and, with masks, localisation: means over the maps.
void score_single_maps(const Items& items, const Tensor& maps, MethodScores& s) {
  const int N = maps.dim(0), H = maps.dim(2), W = maps.dim(3);
  const std::size_t P = std::size_t(H) * std::size_t(W), k = std::max<std::size_t>(1, P / 16);
  for (int n = 0; n < N; ++n) {
    const Tensor m = image_map(maps, n);
    s.sparseness += sparseness(m) / N;
    s.entropy_complexity += entropy_complexity(m) / N;
    s.effective_complexity_pct += 100.0 * double(effective_complexity(m, 0.1)) / double(P) / N;
    if (items.masks.empty()) continue;
    const std::uint8_t* mask = items.masks.data() + std::size_t(n) * P;
    s.rank_accuracy += relevance_rank_accuracy(m, mask) / N;
    s.top_k += top_k_intersection(m, mask, k) / N;
  }
  if (items.masks.empty()) s.rank_accuracy = s.top_k = std::nan("");
}

}  // namespace

void score_quantus_maps(const Items& items, const Tensor& maps, const ScoreFunction& probability,
                        const ScoreFunction& logit, MethodScores& s) {
  score_single_maps(items, maps, s);
  s.faithfulness_correlation = faithfulness_correlation(probability, items.images, maps, items.classes).mean;
  s.irof = irof(probability, items.images, maps, items.classes).mean;
  s.monotonicity = monotonicity_correlation(probability, items.images, maps, items.classes).mean;
  s.infidelity = infidelity(probability, items.images, maps, items.classes).mean;
  s.completeness_gap = completeness_gap(logit, items.images, maps, items.classes).mean;
}

double score_quantus_reruns(Model& model, const ExplainFunction& method, const Tensor& images,
                            const std::vector<int>& classes, MethodScores& s) {
  if (classes.empty()) {
    for (double MethodScores::*field :
         {&MethodScores::max_sensitivity, &MethodScores::avg_sensitivity, &MethodScores::local_lipschitz,
          &MethodScores::random_logit, &MethodScores::input_invariance})
      s.*field = std::nan("");
    return std::nan("");
  }
  const RobustnessResult r = robustness(model, method, images, classes);
  s.max_sensitivity = r.max_sensitivity.mean;
  s.avg_sensitivity = r.avg_sensitivity.mean;
  s.local_lipschitz = r.local_lipschitz.mean;
  s.random_logit = model.classes() >= 2 ? random_logit(model, method, images, classes).mean : std::nan("");
  try {
    const InputInvariance inv = input_invariance(model, method, images, classes);
    s.input_invariance = inv.change.mean;
    return inv.logit_change;
  } catch (const std::invalid_argument&) {  // a first layer that cannot absorb the shift (resnet-mini's conv1)
    s.input_invariance = std::nan("");
    return std::nan("");
  }
}

}  // namespace gcam::cli::compare
