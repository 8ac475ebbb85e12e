// Layer-wise Relevance Propagation: a backward walk of the tape in which every
// layer's rule is replaced by a relevance rule (lrp.hpp). Linear and conv
// layers use the "gradient trick": s = R / z, c = the layer's input-gradient
// kernel applied to s (its transpose), R_in = a ⊙ c.
#include "gcam/methods/lrp.hpp"

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/linear.hpp"
#include "gcam/ops/ops.hpp"

namespace gcam {

namespace {

// z + ε·sign(z) with sign(0) = +1; R / that, or 0 when it is 0 (ε = 0, z = 0).
Tensor stabilized_ratio(const Tensor& R, const Tensor& z, double epsilon) {
  Tensor s(R.shape());
  for (std::size_t e = 0; e < s.size(); ++e) {
    const Scalar d = z[e] + static_cast<Scalar>(z[e] >= 0 ? epsilon : -epsilon);
    s[e] = d != 0 ? R[e] / d : Scalar(0);
  }
  return s;
}

// A linear or conv layer as two maps: forward(x, w) without bias and its
// transpose (the input gradient) applied to s.
struct LinearMap {
  std::function<Tensor(const Tensor& x, const Tensor& w)> forward;
  std::function<Tensor(const Tensor& x, const Tensor& w, const Tensor& s)> transpose;
};

LinearMap layer_map(const Tape& tape, const Record& r) {
  ThreadPool* pool = tape.pool();
  const fast::Targets input_only{true, false, false};
  if (r.kind == OpKind::Conv2d) {
    const int stride = r.attrs.stride, padding = r.attrs.padding;
    return {[=](const Tensor& x, const Tensor& w) {
              return fast::conv2d_forward(x, w, Tensor(Shape{w.dim(0)}), stride, padding, pool);
            },
            [=](const Tensor& x, const Tensor& w, const Tensor& s) {
              Tensor c(x.shape()), unused;
              fast::conv2d_backward(x, w, s, stride, padding, c, unused, unused, pool, input_only);
              return c;
            }};
  }
  return {[=](const Tensor& x, const Tensor& w) { return fast::linear_forward(x, w, Tensor(Shape{w.dim(0)}), pool); },
          [=](const Tensor& x, const Tensor& w, const Tensor& s) {
            Tensor c(x.shape()), unused;
            fast::linear_backward(x, w, s, c, unused, unused, pool, input_only);
            return c;
          }};
}

// ε rule: R_i = a_i Σ_j w_ij R_j / (z_j + ε·sign(z_j)), z = the recorded output (with bias).
void epsilon_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double epsilon) {
  const Tensor& a = tape.at(r.inputs[0]).output();
  const Tensor& w = tape.at(r.inputs[1]).output();
  const Tensor c = layer_map(tape, r).transpose(a, w, stabilized_ratio(R, r.output(), epsilon));
  Tensor& R_in = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < R_in.size(); ++e) R_in[e] += a[e] * c[e];
}

Tensor positive_part(const Tensor& t) {
  Tensor out(t.shape());
  for (std::size_t e = 0; e < t.size(); ++e) out[e] = std::max(t[e], Scalar(0));
  return out;
}
Tensor negative_part(const Tensor& t) {
  Tensor out(t.shape());
  for (std::size_t e = 0; e < t.size(); ++e) out[e] = std::min(t[e], Scalar(0));
  return out;
}

// αβ rule: R_i = Σ_j (α (a_i w_ij)⁺ / z⁺_j − β (a_i w_ij)⁻ / z⁻_j) R_j, with
// (a w)⁺ = a⁺w⁺ + a⁻w⁻ and (a w)⁻ = a⁺w⁻ + a⁻w⁺.
void alpha_beta_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double alpha) {
  const double beta = alpha - 1;
  const Tensor& a = tape.at(r.inputs[0]).output();
  const Tensor& w = tape.at(r.inputs[1]).output();
  const LinearMap map = layer_map(tape, r);
  const Tensor ap = positive_part(a), an = negative_part(a), wp = positive_part(w), wn = negative_part(w);
  Tensor zp = map.forward(ap, wp), zn = map.forward(ap, wn);
  const Tensor zp2 = map.forward(an, wn), zn2 = map.forward(an, wp);
  for (std::size_t e = 0; e < zp.size(); ++e) {
    zp[e] += zp2[e];
    zn[e] += zn2[e];
  }
  const Tensor sp = stabilized_ratio(R, zp, 0), sn = stabilized_ratio(R, zn, 0);
  const Tensor cpp = map.transpose(ap, wp, sp), cnp = map.transpose(an, wn, sp);  // positive contributions
  const Tensor cpn = map.transpose(ap, wn, sn), cnn = map.transpose(an, wp, sn);  // negative contributions
  Tensor& R_in = grads.accumulator(r.inputs[0]);
  for (std::size_t e = 0; e < R_in.size(); ++e)
    R_in[e] += static_cast<Scalar>(alpha * double(ap[e] * cpp[e] + an[e] * cnp[e]) -
                                   beta * double(ap[e] * cpn[e] + an[e] * cnn[e]));
}

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

}  // namespace

std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options) {
  std::map<OpKind, BackwardRule> rules;
  const double epsilon = options.epsilon, alpha = options.alpha;
  const bool alpha_beta = options.rule == LrpRule::AlphaBeta;
  const BackwardRule dense = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    if (alpha_beta)
      alpha_beta_rule(tape, r, R, grads, alpha);
    else
      epsilon_rule(tape, r, R, grads, epsilon);
  };
  rules[OpKind::Conv2d] = dense;
  rules[OpKind::Linear] = dense;
  const BackwardRule average = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    average_rule(tape, r, R, grads, epsilon);
  };
  rules[OpKind::GlobalAvgPool] = average;
  rules[OpKind::AvgPool2d] = average;
  // ReLU: relevance passes through unchanged.
  rules[OpKind::Relu] = [](const Tape&, const Record& r, const Tensor& R, Gradients& grads) {
    Tensor& R_in = grads.accumulator(r.inputs[0]);
    for (std::size_t e = 0; e < R.size(); ++e) R_in[e] += R[e];
  };
  // Max-pool (winner-take-all), reshape and select (pass) route relevance
  // exactly as their gradient rules do.
  rules[OpKind::MaxPool2d] = standard_backward;
  rules[OpKind::Reshape] = standard_backward;
  rules[OpKind::Select] = standard_backward;
  return rules;
}

Tensor lrp_relevance(Model& model, const Tensor& images, const std::vector<int>& classes, const LrpOptions& lrp,
                     const MethodOptions& options) {
  if (images.rank() != 4 || static_cast<int>(classes.size()) != images.dim(0))
    throw std::invalid_argument("lrp_relevance: need a batch (N, C, H, W) and one class per image, got " +
                                shape_string(images.shape()) + " and " + std::to_string(classes.size()) + " classes");
  Tape tape(options.kernels, options.pool);
  const ForwardPass pass = model.forward(tape, images);
  const Var y = class_score(tape, pass.logits, classes, ScoreKind::Logit);
  BackwardOptions backward;
  backward.rules = lrp_rules(lrp);
  backward.wrt = {pass.input};
  // R at the output: y^c on class c (the seed of y^c is its own value).
  return tape.backward(y, tape.value(y), backward).of(pass.input);
}

}  // namespace gcam
