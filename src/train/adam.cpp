// (O2) Adam, and the Optimizer that keeps the per-parameter state.
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/train/optim.hpp"

namespace gcam {

void adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, long step, double lr, double beta1,
                 double beta2, double eps, double weight_decay) {
  const double correct1 = 1 - std::pow(beta1, double(step));  // bias corrections: m, v start at 0
  const double correct2 = 1 - std::pow(beta2, double(step));
  for (std::size_t e = 0; e < param.size(); ++e) {
    const double g = double(grad[e]) + weight_decay * double(param[e]);
    m[e] = Scalar(beta1 * m[e] + (1 - beta1) * g);
    v[e] = Scalar(beta2 * v[e] + (1 - beta2) * g * g);
    param[e] -= Scalar(lr * (m[e] / correct1) / (std::sqrt(v[e] / correct2) + eps));
  }
}

Optimizer::Optimizer(OptimizerOptions options) : options_(std::move(options)) {
  if (options_.kind != "sgd" && options_.kind != "adam")
    throw UnknownName(unknown_name_message("optimizer", options_.kind, {"sgd", "adam"}));
}

void Optimizer::step(const std::vector<Parameter*>& params, const std::vector<const Tensor*>& grads) {
  if (params.size() != grads.size())
    throw std::invalid_argument("optimizer: " + std::to_string(params.size()) + " parameters but " +
                                std::to_string(grads.size()) + " gradients");
  if (first_.empty())
    for (const Parameter* p : params) {
      first_.emplace_back(p->value.shape());
      second_.emplace_back(options_.kind == "adam" ? p->value.shape() : Shape{0});
    }
  ++steps_;
  for (std::size_t i = 0; i < params.size(); ++i) {
    require_same_shape("optimizer step", params[i]->value, *grads[i]);
    if (options_.kind == "sgd")
      sgd_update(params[i]->value, *grads[i], first_[i], options_.lr, options_.momentum, options_.weight_decay);
    else
      adam_update(params[i]->value, *grads[i], first_[i], second_[i], steps_, options_.lr, options_.beta1,
                  options_.beta2, options_.eps, options_.weight_decay);
  }
}

}  // namespace gcam
