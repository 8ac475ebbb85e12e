// Layer-wise Relevance Propagation: a backward walk of the tape in which every
// layer's rule is replaced by a relevance rule (lrp.hpp). The rules of conv
// and dense layers live in lrp_rules.cpp; this file has the rules of the
// other ops, the assembly of the rule set and the public entry points.
#include "gcam/methods/lrp.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <stdexcept>

#include "gcam/ops/ops.hpp"
#include "lrp_rules.hpp"

namespace gcam {

namespace lrp_detail {

namespace {

// Pooling by averaging: the ε rule with uniform weights 1/k² (or 1/(H·W)).
void average_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double epsilon) {
  const Tensor& a = tape.at(r.inputs[0]).output();
  const Tensor s = stabilized_ratio(R, r.output(), epsilon);
  Tensor c(a.shape());
  if (r.kind == OpKind::GlobalAvgPool)
    global_avg_pool_backward(s, c);
  else
    avg_pool2d_backward(s, r.attrs.kernel, r.attrs.stride, c);
  Tensor& R_in = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < R_in.size(); ++e) R_in[e] += a[e] * c[e];
}

// The residual sum z = a + b: each branch gets relevance in proportion to
// what it added, R_a = a/(z + ε·sign z)·R, R_b = b/(z + ε·sign z)·R.
void sum_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double epsilon) {
  const Tensor s = stabilized_ratio(R, r.output(), epsilon);
  for (int input : r.inputs) {
    const Tensor& a = tape.at(input).output();
    Tensor& R_in = grads.accumulator(input);
    for (std::size_t e = 0; e < R_in.size(); ++e) R_in[e] += a[e] * s[e];
  }
}

// A batch norm that follows no conv layer: the ε rule of the per-channel
// affine map y = (γ/σ)·x + shift, R_in = x·(γ/σ)·R/(y + ε·sign y).
void batch_norm_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double epsilon) {
  const Tensor& x = tape.at(r.inputs[0]).output();
  const Tensor& gamma = tape.at(r.inputs[1]).output();
  const Tensor s = stabilized_ratio(R, r.output(), epsilon);
  const std::size_t C = std::size_t(x.dim(1)), plane = x.size() / std::size_t(x.dim(0)) / C;
  Tensor& R_in = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < R_in.size(); ++e) {
    const std::size_t c = (e / plane) % C;
    R_in[e] += x[e] * gamma[c] * r.saved.at(1, int(c)) * s[e];
  }
}

// ReLU and a folded batch norm: R_in = R_out.
void pass_down(const Record& r, const Tensor& R, Gradients& grads) {
  Tensor& R_in = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < R.size(); ++e) R_in[e] += R[e];
}

}  // namespace

std::map<OpKind, BackwardRule> rule_set(const LayerChoice& choose, double epsilon, const Tape& recorded) {
  std::map<OpKind, BackwardRule> rules;
  const std::shared_ptr<const Folds> folds = fold_batch_norms(recorded);
  const BackwardRule layer = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    layer_rule(choose(tape, r), tape, r, R, grads, *folds);
  };
  rules[OpKind::Conv2d] = layer;
  rules[OpKind::Linear] = layer;
  rules[OpKind::BatchNorm2d] = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    if (is_folded(*folds, tape.id_of(r)))  // folded into the conv below: pass R down unchanged
      pass_down(r, R, grads);
    else
      batch_norm_rule(tape, r, R, grads, epsilon);
  };
  rules[OpKind::Add] = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    sum_rule(tape, r, R, grads, epsilon);
  };
  const BackwardRule average = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    average_rule(tape, r, R, grads, epsilon);
  };
  rules[OpKind::GlobalAvgPool] = average;
  rules[OpKind::AvgPool2d] = average;
  // ReLU: relevance passes through unchanged.
  rules[OpKind::Relu] = [](const Tape&, const Record& r, const Tensor& R, Gradients& grads) { pass_down(r, R, grads); };
  // Max-pool (winner-take-all), reshape and select (pass) route relevance
  // exactly as their gradient rules do.
  rules[OpKind::MaxPool2d] = standard_backward;
  rules[OpKind::Reshape] = standard_backward;
  rules[OpKind::Select] = standard_backward;
  return rules;
}

Tensor relevance_with(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options,
                      const char* caller,
                      const std::function<std::map<OpKind, BackwardRule>(const Tape&, Var input)>& make) {
  if (images.rank() != 4 || static_cast<int>(classes.size()) != images.dim(0))
    throw std::invalid_argument(std::string(caller) + ": need a batch (N, C, H, W) and one class per image, got " +
                                shape_string(images.shape()) + " and " + std::to_string(classes.size()) + " classes");
  Tape tape(options.kernels, options.pool);
  const ForwardPass pass = model.forward(tape, images);
  const Var y = class_score(tape, pass.logits, classes, ScoreKind::Logit);
  BackwardOptions backward;
  backward.rules = make(tape, pass.input);
  backward.wrt = {pass.input};
  // R at the output: y^c on class c (the seed of y^c is its own value).
  return tape.backward(y, tape.value(y), backward).of(pass.input);
}

}  // namespace lrp_detail

std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options) { return lrp_rules(options, Tape()); }

std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options, const Tape& recorded) {
  if (options.rule == LrpRule::ZBox)
    throw std::invalid_argument(
        "lrp_rules: the z^B (box) rule is for the first layer only; use an LrpComposite (lrp_composite.hpp)");
  return lrp_detail::rule_set([options](const Tape&, const Record&) { return options; }, options.epsilon, recorded);
}

Tensor lrp_relevance(Model& model, const Tensor& images, const std::vector<int>& classes, const LrpOptions& lrp,
                     const MethodOptions& options) {
  return lrp_detail::relevance_with(model, images, classes, options, "lrp_relevance",
                                    [&](const Tape& tape, Var) { return lrp_rules(lrp, tape); });
}

}  // namespace gcam
