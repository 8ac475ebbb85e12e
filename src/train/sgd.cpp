// (O1) SGD with momentum and weight decay.
#include "gcam/train/optim.hpp"

namespace gcam {

// Course exercise ex09: with EXERCISES=ex09, src/exercises/ex09_sgd.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX09
void sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, double lr, double momentum, double weight_decay) {
  for (std::size_t e = 0; e < param.size(); ++e) {
    const Scalar g = grad[e] + Scalar(weight_decay) * param[e];
    velocity[e] = Scalar(momentum) * velocity[e] + g;
    param[e] -= Scalar(lr) * velocity[e];
  }
}
#endif  // GCAM_EXERCISE_EX09

}  // namespace gcam
