// The model-parameter randomization test (Adebayo et al. 2018), cascading from
// the top layer down.
#include <stdexcept>

#include "evaluate_internal.hpp"
#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

namespace {

using evaluate_detail::map_plane;
using evaluate_detail::ParameterBackup;

// The layer's own initializer; other layers with parameters get U(−0.1, 0.1).
void reinitialize(Layer& layer, Rng& rng) {
  if (auto* conv = dynamic_cast<Conv2d*>(&layer)) return conv->initialize(rng);
  if (auto* dense = dynamic_cast<Dense*>(&layer)) return dense->initialize(rng);
  for (Parameter* p : layer.parameters())
    for (std::size_t e = 0; e < p->value.size(); ++e) p->value[e] = Scalar(rng.uniform(-0.1, 0.1));
}

}  // namespace

std::vector<RandomizationStage> cascading_randomization(Model& model, const ExplainFunction& explain,
                                                        const Tensor& images, const std::vector<int>& classes,
                                                        std::uint64_t seed) {
  ParameterBackup backup(model);
  const int N = images.dim(0);
  const Tensor original = explain(model, images, classes);
  std::vector<RandomizationStage> stages;
  auto record = [&](const std::string& layer, const Tensor& maps) {
    RandomizationStage stage;
    stage.layer = layer;
    for (int n = 0; n < N; ++n) {
      stage.spearman.push_back(spearman(map_plane(maps, n), map_plane(original, n)));
      stage.mean_spearman += stage.spearman.back() / N;
    }
    stages.push_back(std::move(stage));
  };
  record("", original);
  std::uint64_t k = 0;
  for (int l = model.layer_count() - 1; l >= 0; --l) {
    if (model.layer(l).parameters().empty()) continue;
    Rng rng(seed + ++k);
    reinitialize(model.layer(l), rng);
    record(model.layer(l).name(), explain(model, images, classes));
  }
  return stages;
}

}  // namespace gcam
