// The relevance rules of conv and dense layers (lrp.hpp states each
// equation), all through the "gradient trick": a forward map to get the
// denominators z_j, s = R / z, then the layer's transpose applied to s.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/linear.hpp"
#include "lrp_rules.hpp"

namespace gcam {
namespace lrp_detail {

Tensor stabilized_ratio(const Tensor& R, const Tensor& z, double epsilon) {
  Tensor s(R.shape());
  for (std::size_t e = 0; e < s.size(); ++e) {
    const Scalar d = z[e] + static_cast<Scalar>(z[e] >= 0 ? epsilon : -epsilon);
    s[e] = d != 0 ? R[e] / d : Scalar(0);
  }
  return s;
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

LayerView layer_view(const Tape& tape, const Record& r, const Folds& folds) {
  const auto f = folds.find(tape.id_of(r));
  const bool folded = f != folds.end();
  return {tape.at(r.inputs[0]).output(), folded ? f->second.weight : tape.at(r.inputs[1]).output(),
          folded ? tape.at(f->second.batch_norm).output() : r.output(), layer_map(tape, r), r.inputs[0]};
}

void ratio_rule(const LayerView& layer, std::initializer_list<Term> terms, const Tensor& R, Gradients& grads,
                double epsilon) {
  Tensor z(R.shape());
  for (const Term& t : terms) {
    const Tensor part = layer.map.forward(t.x, t.v);
    for (std::size_t e = 0; e < z.size(); ++e) z[e] += t.sign * part[e];
  }
  const Tensor s = stabilized_ratio(R, z, epsilon);
  Tensor& R_in = grads.accumulator(layer.input);
  for (const Term& t : terms) {
    const Tensor c = layer.map.transpose(t.x, t.v, s);
    for (std::size_t e = 0; e < R_in.size(); ++e) R_in[e] += t.sign * t.x[e] * c[e];
  }
}

// ε rule: R_i = a_i Σ_j w_ij R_j / (z_j + ε·sign(z_j)), z = the recorded output (with bias).
void epsilon_rule(const LayerView& layer, const Tensor& R, Gradients& grads, double epsilon) {
  const Tensor c = layer.map.transpose(layer.a, layer.w, stabilized_ratio(R, layer.z, epsilon));
  Tensor& R_in = grads.accumulator(layer.input);
  for (std::size_t e = 0; e < R_in.size(); ++e) R_in[e] += layer.a[e] * c[e];
}

// αβ rule (Bach et al. 2015): R_i = Σ_j (α (a_i w_ij)⁺ / z⁺_j − β (a_i w_ij)⁻ / z⁻_j) R_j,
// with (a w)⁺ = a⁺w⁺ + a⁻w⁻ and (a w)⁻ = a⁺w⁻ + a⁻w⁺.
void alpha_beta_rule(const LayerView& layer, const Tensor& R, Gradients& grads, double alpha) {
  const double beta = alpha - 1;
  const LinearMap& map = layer.map;
  const Tensor ap = positive_part(layer.a), an = negative_part(layer.a);
  const Tensor wp = positive_part(layer.w), wn = negative_part(layer.w);
  Tensor zp = map.forward(ap, wp), zn = map.forward(ap, wn);
  const Tensor zp2 = map.forward(an, wn), zn2 = map.forward(an, wp);
  for (std::size_t e = 0; e < zp.size(); ++e) {
    zp[e] += zp2[e];
    zn[e] += zn2[e];
  }
  const Tensor sp = stabilized_ratio(R, zp, 0), sn = stabilized_ratio(R, zn, 0);
  const Tensor cpp = map.transpose(ap, wp, sp), cnp = map.transpose(an, wn, sp);  // positive contributions
  const Tensor cpn = map.transpose(ap, wn, sn), cnn = map.transpose(an, wp, sn);  // negative contributions
  Tensor& R_in = grads.accumulator(layer.input);
  for (std::size_t e = 0; e < R_in.size(); ++e)
    R_in[e] += static_cast<Scalar>(alpha * double(ap[e] * cpp[e] + an[e] * cnp[e]) -
                                   beta * double(ap[e] * cpn[e] + an[e] * cnn[e]));
}

// γ rule (Montavon et al. 2019), made sign-aware: an output with z_j ≥ 0 uses
// weights w + γw⁺ and bias b + γb⁺, one with z_j < 0 uses w + γw⁻ and b + γb⁻,
// so that z^γ_j = z_j + γ (Σ_i a_i w^±_ij + b^±_j) moves away from 0, never
// towards it (b_j = z_j − Σ_i a_i w_ij, the recorded or folded bias);
//   R_i = a_i Σ_j (w_ij + γ w^±_ij) R_j / (z^γ_j + ε·sign z^γ_j).
void gamma_rule(const LayerView& layer, const Tensor& R, Gradients& grads, double gamma, double epsilon) {
  const Tensor wp = positive_part(layer.w), wn = negative_part(layer.w);
  const Tensor zw = layer.map.forward(layer.a, layer.w);
  const Tensor zwp = layer.map.forward(layer.a, wp), zwn = layer.map.forward(layer.a, wn);
  Tensor zg = layer.z;
  for (std::size_t e = 0; e < zg.size(); ++e) {
    const Scalar bias = layer.z[e] - zw[e];
    const bool positive = layer.z[e] >= 0;
    zg[e] += static_cast<Scalar>(gamma) *
             (positive ? zwp[e] + std::max(bias, Scalar(0)) : zwn[e] + std::min(bias, Scalar(0)));
  }
  Tensor s_positive = stabilized_ratio(R, zg, epsilon), s_negative = s_positive;
  for (std::size_t e = 0; e < zg.size(); ++e) (layer.z[e] >= 0 ? s_negative : s_positive)[e] = 0;
  Tensor w_up = layer.w, w_down = layer.w;
  for (std::size_t e = 0; e < w_up.size(); ++e) {
    w_up[e] += static_cast<Scalar>(gamma) * wp[e];
    w_down[e] += static_cast<Scalar>(gamma) * wn[e];
  }
  const Tensor c_up = layer.map.transpose(layer.a, w_up, s_positive);
  const Tensor c_down = layer.map.transpose(layer.a, w_down, s_negative);
  Tensor& R_in = grads.accumulator(layer.input);
  for (std::size_t e = 0; e < R_in.size(); ++e) R_in[e] += layer.a[e] * (c_up[e] + c_down[e]);
}

namespace {

double tensor_min(const Tensor& t) {
  return t.size() ? double(*std::min_element(t.values().begin(), t.values().end())) : 0.0;
}
double tensor_max(const Tensor& t) {
  return t.size() ? double(*std::max_element(t.values().begin(), t.values().end())) : 0.0;
}

// z^B (box) rule (Montavon et al. 2017): inputs in [l, h];
// R_i = Σ_j (a_i w_ij − l w⁺_ij − h w⁻_ij) / Σ_i'(a_i' w_i'j − l w⁺_i'j − h w⁻_i'j) R_j.
// The three terms run through the layer's own map, so a padded position
// contributes a = l = h = 0, like the zero it stands for.
void box_rule(const LrpOptions& options, const LayerView& layer, const Tensor& R, Gradients& grads) {
  const double low = options.low ? *options.low : tensor_min(layer.a);
  const double high = options.high ? *options.high : tensor_max(layer.a);
  if (low > high)
    throw std::invalid_argument("lrp z^B (box) rule: low bound " + std::to_string(low) + " above high bound " +
                                std::to_string(high));
  const Tensor l(layer.a.shape(), static_cast<Scalar>(low)), h(layer.a.shape(), static_cast<Scalar>(high));
  const Tensor wp = positive_part(layer.w), wn = negative_part(layer.w);
  ratio_rule(layer, {{layer.a, layer.w, 1}, {l, wp, -1}, {h, wn, -1}}, R, grads, options.epsilon);
}

// z⁺ rule (Montavon et al. 2017): R_i = Σ_j a_i w⁺_ij / Σ_i' a_i' w⁺_i'j · R_j (bias ignored).
void zplus_rule(const LayerView& layer, const Tensor& R, Gradients& grads) {
  const Tensor wp = positive_part(layer.w);
  ratio_rule(layer, {{layer.a, wp, 1}}, R, grads, 0);
}

// Flat rule (Lapuschkin et al. 2019): R_i = Σ_j 1 / (Σ_i' 1) · R_j, inputs and weights replaced by 1
// (a padded position is a 0, so it is not counted).
void flat_rule(const LayerView& layer, const Tensor& R, Gradients& grads) {
  const Tensor ones(layer.a.shape(), 1), flat(layer.w.shape(), 1);
  ratio_rule(layer, {{ones, flat, 1}}, R, grads, 0);
}

// w² rule (Montavon et al. 2017): R_i = Σ_j w²_ij / Σ_i' w²_i'j · R_j, inputs replaced by 1.
void w_square_rule(const LayerView& layer, const Tensor& R, Gradients& grads) {
  const Tensor ones(layer.a.shape(), 1);
  Tensor w2 = layer.w;
  for (Scalar& v : w2.values()) v *= v;
  ratio_rule(layer, {{ones, w2, 1}}, R, grads, 0);
}

}  // namespace

void layer_rule(const LrpOptions& options, const Tape& tape, const Record& r, const Tensor& R, Gradients& grads,
                const Folds& folds) {
  const LayerView layer = layer_view(tape, r, folds);
  switch (options.rule) {
    case LrpRule::Epsilon: return epsilon_rule(layer, R, grads, options.epsilon);
    case LrpRule::AlphaBeta: return alpha_beta_rule(layer, R, grads, options.alpha);
    case LrpRule::Gamma: return gamma_rule(layer, R, grads, options.gamma, options.epsilon);
    case LrpRule::ZPlus: return zplus_rule(layer, R, grads);
    case LrpRule::ZBox: return box_rule(options, layer, R, grads);
    case LrpRule::Flat: return flat_rule(layer, R, grads);
    case LrpRule::WSquare: return w_square_rule(layer, R, grads);
  }
}

}  // namespace lrp_detail
}  // namespace gcam
