// Layer-wise Relevance Propagation: a backward walk of the tape in which every
// layer's rule is replaced by a relevance rule (lrp.hpp). Linear and conv
// layers use the "gradient trick": s = R / z, c = the layer's input-gradient
// kernel applied to s (its transpose), R_in = a ⊙ c.
#include "gcam/methods/lrp.hpp"

#include <algorithm>
#include <functional>
#include <memory>
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

// A conv layer with the batch norm after it folded in (the canonizer of LRP
// toolkits): w'_o = w_o·γ_o/σ_o, and z = the batch norm's output, whose
// relevance the batch norm passes down unchanged.
struct FoldedConv {
  Tensor weight;
  int batch_norm = -1;  // the record whose output is z
};
using Folds = std::map<int, FoldedConv>;  // by conv record id

// The weights a relevance rule uses for record r, and the z it divides by.
const Tensor& rule_weight(const Tape& tape, const Record& r, const Folds& folds, int id) {
  const auto f = folds.find(id);
  return f != folds.end() ? f->second.weight : tape.at(r.inputs[1]).output();
}
const Tensor& rule_output(const Tape& tape, const Record& r, const Folds& folds, int id) {
  const auto f = folds.find(id);
  return f != folds.end() ? tape.at(f->second.batch_norm).output() : r.output();
}

// ε rule: R_i = a_i Σ_j w_ij R_j / (z_j + ε·sign(z_j)), z = the recorded output (with bias).
void epsilon_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double epsilon,
                  const Folds& folds, int id) {
  const Tensor& a = tape.at(r.inputs[0]).output();
  const Tensor& w = rule_weight(tape, r, folds, id);
  const Tensor c = layer_map(tape, r).transpose(a, w, stabilized_ratio(R, rule_output(tape, r, folds, id), epsilon));
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
void alpha_beta_rule(const Tape& tape, const Record& r, const Tensor& R, Gradients& grads, double alpha,
                     const Folds& folds, int id) {
  const double beta = alpha - 1;
  const Tensor& a = tape.at(r.inputs[0]).output();
  const Tensor& w = rule_weight(tape, r, folds, id);
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

// Every conv record whose output only a batch norm reads, with the batch
// norm folded into its weights.
std::shared_ptr<const Folds> fold_batch_norms(const Tape& tape) {
  auto folds = std::make_shared<Folds>();
  std::vector<int> readers(static_cast<std::size_t>(tape.size()), 0);
  for (int id = 0; id < tape.size(); ++id)
    for (int input : tape.at(id).inputs) ++readers[static_cast<std::size_t>(input)];
  for (int id = 0; id < tape.size(); ++id) {
    const Record& bn = tape.at(id);
    if (bn.kind != OpKind::BatchNorm2d) continue;
    const int conv = bn.inputs[0];
    if (tape.at(conv).kind != OpKind::Conv2d || readers[static_cast<std::size_t>(conv)] != 1) continue;
    Tensor w = tape.at(tape.at(conv).inputs[1]).output();
    const Tensor& gamma = tape.at(bn.inputs[1]).output();
    const std::size_t per_channel = w.size() / std::size_t(w.dim(0));
    for (std::size_t e = 0; e < w.size(); ++e) {
      const int o = int(e / per_channel);
      w[e] *= gamma[std::size_t(o)] * bn.saved.at(1, o);  // w' = w·γ/σ
    }
    (*folds)[conv] = {std::move(w), id};
  }
  return folds;
}

bool is_folded(const Folds& folds, int batch_norm) {
  for (const auto& f : folds)
    if (f.second.batch_norm == batch_norm) return true;
  return false;
}

}  // namespace

std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options) { return lrp_rules(options, Tape()); }

std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options, const Tape& recorded) {
  std::map<OpKind, BackwardRule> rules;
  const double epsilon = options.epsilon, alpha = options.alpha;
  const bool alpha_beta = options.rule == LrpRule::AlphaBeta;
  const std::shared_ptr<const Folds> folds = fold_batch_norms(recorded);
  const BackwardRule dense = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    const int id = tape.id_of(r);
    if (alpha_beta)
      alpha_beta_rule(tape, r, R, grads, alpha, *folds, id);
    else
      epsilon_rule(tape, r, R, grads, epsilon, *folds, id);
  };
  rules[OpKind::BatchNorm2d] = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    if (is_folded(*folds, tape.id_of(r))) {  // folded into the conv below: pass R down unchanged
      Tensor& R_in = grads.accumulator(r.inputs[0]);
      for (std::size_t e = 0; e < R.size(); ++e) R_in[e] += R[e];
    } else {
      batch_norm_rule(tape, r, R, grads, epsilon);
    }
  };
  rules[OpKind::Add] = [=](const Tape& tape, const Record& r, const Tensor& R, Gradients& grads) {
    sum_rule(tape, r, R, grads, epsilon);
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
  backward.rules = lrp_rules(lrp, tape);
  backward.wrt = {pass.input};
  // R at the output: y^c on class c (the seed of y^c is its own value).
  return tape.backward(y, tape.value(y), backward).of(pass.input);
}

}  // namespace gcam
