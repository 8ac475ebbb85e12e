// The random-logit test (Sixt et al. 2020): the map for the explained class
// against the map for a random other class.
#include "gcam/evaluate/randomisation.hpp"

#include <stdexcept>
#include <string>

#include "evaluate_internal.hpp"
#include "gcam/core/rng.hpp"

namespace gcam {

// Random logit (Sixt et al. 2020): spearman(Φ(x, c), Φ(x, c')), c' uniform among the other classes.
ImageScores random_logit(Model& model, const ExplainFunction& explain, const Tensor& images,
                         const std::vector<int>& classes, std::uint64_t seed) {
  const int K = model.classes();
  if (K < 2) throw std::invalid_argument("random_logit: the model has " + std::to_string(K) + " class; need >= 2");
  Rng rng(seed);
  std::vector<int> others;
  for (int c : classes) {
    const int draw = int(rng.below(std::uint64_t(K - 1)));  // 0..K−2, skipping c
    others.push_back(draw >= c ? draw + 1 : draw);
  }
  const Tensor maps = explain(model, images, classes), other_maps = explain(model, images, others);
  evaluate_detail::check_maps("random_logit", images, maps, classes);
  require_same_shape("random_logit", maps, other_maps);
  std::vector<double> rho;
  for (int n = 0; n < images.dim(0); ++n)
    rho.push_back(spearman(evaluate_detail::map_plane(maps, n), evaluate_detail::map_plane(other_maps, n)));
  return evaluate_detail::mean_of(std::move(rho));
}

}  // namespace gcam
