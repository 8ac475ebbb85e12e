// Completeness and input invariance (the Quantus axiomatic family).
#include "gcam/evaluate/axiomatic.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "evaluate_internal.hpp"
#include "gcam/evaluate/robustness.hpp"

namespace gcam {

// Completeness (Sundararajan et al. 2017): |Σ m − (f(x) − f(0))| / |f(x) − f(0)|.
ImageScores completeness_gap(const ScoreFunction& logit, const Tensor& images, const Tensor& maps,
                             const std::vector<int>& classes) {
  evaluate_detail::check_maps("completeness_gap", images, maps, classes);
  const int N = images.dim(0);
  const std::vector<double> at_x = logit(images, classes), at_zero = logit(Tensor(images.shape(), 0), classes);
  std::vector<double> gaps;
  for (int n = 0; n < N; ++n) {
    double sum = 0;
    for (double v : evaluate_detail::map_plane(maps, n)) sum += v;
    const double delta = at_x[std::size_t(n)] - at_zero[std::size_t(n)];
    gaps.push_back(delta != 0 ? std::fabs(sum - delta) / std::fabs(delta) : std::fabs(sum));
  }
  return evaluate_detail::mean_of(std::move(gaps));
}

namespace {

// b'_o = b_o − shift · Σ_i W_{o,i} over the first Conv2d (with a bias) or
// Dense layer, after any Flatten; throws std::invalid_argument otherwise.
void compensate_first_layer(Model& model, double shift) {
  int l = 0;
  while (l < model.layer_count() && model.layer(l).kind() == OpKind::Reshape) ++l;
  Layer* first = l < model.layer_count() ? &model.layer(l) : nullptr;
  auto* conv = dynamic_cast<Conv2d*>(first);
  auto* dense = dynamic_cast<Dense*>(first);
  if (!(conv && conv->has_bias) && !dense)
    throw std::invalid_argument("input_invariance: the first layer must be a Conv2d with a bias or a Dense layer; " +
                                model.architecture() + " starts with " +
                                (first ? first->name() + " (" + first->describe() + ")" : std::string("nothing")));
  Parameter& weight = conv ? conv->weight : dense->weight;
  Parameter& bias = conv ? conv->bias : dense->bias;
  const int outputs = weight.value.dim(0);
  const std::size_t per_output = weight.value.size() / std::size_t(outputs);
  for (int o = 0; o < outputs; ++o) {
    double sum = 0;
    for (std::size_t i = 0; i < per_output; ++i) sum += double(weight.value[std::size_t(o) * per_output + i]);
    bias.value[std::size_t(o)] = Scalar(double(bias.value[std::size_t(o)]) - shift * sum);
  }
}

}  // namespace

// Input invariance (Kindermans et al. 2017): Φ of the shifted input through the compensated model vs Φ(x).
InputInvariance input_invariance(Model& model, const ExplainFunction& explain, const Tensor& images,
                                 const std::vector<int>& classes, double shift) {
  const evaluate_detail::ParameterBackup backup(model);  // restores the bias, also on a throw
  const Tensor maps = explain(model, images, classes);
  evaluate_detail::check_maps("input_invariance", images, maps, classes);
  const std::vector<double> logits = class_logits(model, images, classes);
  compensate_first_layer(model, shift);
  Tensor shifted = images;
  for (std::size_t e = 0; e < shifted.size(); ++e) shifted[e] = Scalar(double(shifted[e]) + shift);
  const Tensor shifted_maps = explain(model, shifted, classes);
  require_same_shape("input_invariance", maps, shifted_maps);
  const std::vector<double> shifted_logits = class_logits(model, shifted, classes);
  InputInvariance r;
  std::vector<double> changes;
  for (int n = 0; n < images.dim(0); ++n) {
    changes.push_back(relative_change(slice_batch(maps, n, n + 1), slice_batch(shifted_maps, n, n + 1)));
    r.logit_change = std::max(r.logit_change, std::fabs(shifted_logits[std::size_t(n)] - logits[std::size_t(n)]));
  }
  r.change = evaluate_detail::mean_of(std::move(changes));
  return r;
}

}  // namespace gcam
