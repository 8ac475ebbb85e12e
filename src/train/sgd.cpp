// (O1) SGD with momentum and weight decay.
#include "gcam/train/optim.hpp"

#include <algorithm>
#include <cmath>

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

double cosine_learning_rate(double lr, long step, long steps) {
  const double pi = 3.14159265358979323846;
  return lr * 0.5 * (1 + std::cos(pi * double(step) / double(std::max(1L, steps))));  // (O3)
}

}  // namespace gcam
