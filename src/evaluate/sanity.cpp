// The model-parameter randomization test (Adebayo et al. 2018), cascading from
// the top layer down.
#include <stdexcept>

#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

namespace {

// Saves every parameter tensor of a model and puts them back on destruction.
class ParameterBackup {
 public:
  explicit ParameterBackup(Model& model) : params_(model.parameters()) {
    for (Parameter* p : params_) saved_.push_back(p->value);
  }
  ~ParameterBackup() {
    for (std::size_t i = 0; i < params_.size(); ++i) params_[i]->value = saved_[i];
  }
  ParameterBackup(const ParameterBackup&) = delete;
  ParameterBackup& operator=(const ParameterBackup&) = delete;

 private:
  std::vector<Parameter*> params_;
  std::vector<Tensor> saved_;
};

// The layer's own initializer; other layers with parameters get U(−0.1, 0.1).
void reinitialize(Layer& layer, Rng& rng) {
  if (auto* conv = dynamic_cast<Conv2d*>(&layer)) return conv->initialize(rng);
  if (auto* dense = dynamic_cast<Dense*>(&layer)) return dense->initialize(rng);
  for (Parameter* p : layer.parameters())
    for (std::size_t e = 0; e < p->value.size(); ++e) p->value[e] = Scalar(rng.uniform(-0.1, 0.1));
}

std::vector<double> plane(const Tensor& maps, int n) {
  const Tensor m = image_map(maps, n);
  return std::vector<double>(m.data(), m.data() + m.size());
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
      stage.spearman.push_back(spearman(plane(maps, n), plane(original, n)));
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
