// optim.hpp — optimizers: how a gradient becomes a parameter update.
//
// Each update rule is one plain function on a single tensor (sgd_update,
// adam_update), written like its equation; the Optimizer classes only keep the
// per-parameter state (velocity, moments) and loop over the parameters.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gcam/nn/layers.hpp"

namespace gcam {

// (O1) SGD with momentum and weight decay, as PyTorch's torch.optim.SGD:
//      g ← g + λ·θ;  v ← μ·v + g;  θ ← θ − η·v     (v starts at 0)
void sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, double lr, double momentum, double weight_decay);

// (O2) Adam (Kingma & Ba), as torch.optim.Adam with L2 weight decay:
//      g ← g + λ·θ;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//      θ ← θ − η · (m / (1−β1^t)) / (sqrt(v / (1−β2^t)) + ε)      (t = 1, 2, ...)
void adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, long step, double lr, double beta1,
                 double beta2, double eps, double weight_decay);

struct OptimizerOptions {
  std::string kind = "sgd";  // "sgd" or "adam"
  double lr = 0.01;
  double momentum = 0.9;  // sgd
  double weight_decay = 0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam
};

// (O3) Cosine annealing without restarts (Loshchilov & Hutter 2017), as
//      torch.optim.lr_scheduler.CosineAnnealingLR with η_min = 0, stepped per batch:
//      η_t = η · ½ (1 + cos(π t / T)),  t = 0 … T − 1 the step, T the steps of the whole run
double cosine_learning_rate(double lr, long step, long steps);

class Optimizer {
 public:
  // Throws UnknownName for a kind other than "sgd" or "adam".
  explicit Optimizer(OptimizerOptions options);
  // Applies one update to every parameter; grads[i] belongs to params[i].
  void step(const std::vector<Parameter*>& params, const std::vector<const Tensor*>& grads);
  const OptimizerOptions& options() const { return options_; }
  // For a schedule: the learning rate of the following steps.
  void set_learning_rate(double lr) { options_.lr = lr; }

 private:
  OptimizerOptions options_;
  long steps_ = 0;
  std::vector<Tensor> first_, second_;  // velocity (sgd) or m, v (adam), one per parameter
};

}  // namespace gcam
