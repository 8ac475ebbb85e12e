// (O1) SGD with momentum and weight decay.
#include "gcam/train/optim.hpp"

namespace gcam {

void sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, double lr, double momentum,
                double weight_decay) {
  for (std::size_t e = 0; e < param.size(); ++e) {
    const Scalar g = grad[e] + Scalar(weight_decay) * param[e];
    velocity[e] = Scalar(momentum) * velocity[e] + g;
    param[e] -= Scalar(lr) * velocity[e];
  }
}

}  // namespace gcam
