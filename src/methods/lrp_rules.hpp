// lrp_rules.hpp (private to src/methods) — the machinery every LRP rule of a
// conv or dense layer shares: the layer as a pair of linear maps (forward and
// transpose), the batch norms folded into the convs before them, and one
// function per rule (lrp.hpp states the equations). lrp.cpp and
// lrp_composite.cpp build the BackwardOptions::rules from these.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>

#include "gcam/methods/lrp.hpp"

namespace gcam {
namespace lrp_detail {

// R / (z + ε·sign(z)) with sign(0) = +1, element by element; 0 where that
// denominator is 0 (ε = 0 and z = 0: the neuron passes no relevance).
Tensor stabilized_ratio(const Tensor& R, const Tensor& z, double epsilon);
Tensor positive_part(const Tensor& t);  // t⁺ = max(t, 0)
Tensor negative_part(const Tensor& t);  // t⁻ = min(t, 0)

// A linear or conv layer as two maps: forward(x, w) = Σ_i x_i w_ij without
// bias, and its transpose (the input gradient) applied to s; x gives only
// the shape of the result.
struct LinearMap {
  std::function<Tensor(const Tensor& x, const Tensor& w)> forward;
  std::function<Tensor(const Tensor& x, const Tensor& w, const Tensor& s)> transpose;
};
LinearMap layer_map(const Tape& tape, const Record& r);

// A conv layer with the batch norm after it folded in (the canonizer of LRP
// toolkits): w'_o = w_o·γ_o/σ_o, and z = the batch norm's output.
struct FoldedConv {
  Tensor weight;
  int batch_norm = -1;  // the record whose output is z
};
using Folds = std::map<int, FoldedConv>;  // by conv record id
// Every conv record whose output only a batch norm reads, folded.
std::shared_ptr<const Folds> fold_batch_norms(const Tape& tape);
// Whether batch norm record `batch_norm` is folded into a conv.
bool is_folded(const Folds& folds, int batch_norm);

// What a conv/dense rule reads of record r: its input a (value `input`), the
// weights w it uses (folded if a batch norm follows), z (the recorded output
// with bias, or the folded batch norm's output) and its maps.
struct LayerView {
  const Tensor& a;
  const Tensor& w;
  const Tensor& z;
  LinearMap map;
  int input;
};
LayerView layer_view(const Tape& tape, const Record& r, const Folds& folds);

// One rule for one conv/dense record: the rule `options` names, with its
// parameters (ZBox takes its bounds from options or from the layer's input).
void layer_rule(const LrpOptions& options, const Tape& tape, const Record& r, const Tensor& R, Gradients& grads,
                const Folds& folds);

// One term x ⊙ v of a "modified gradient trick" rule: the layer with inputs
// x and weights v, counted with `sign` (+1 or −1).
struct Term {
  const Tensor& x;
  const Tensor& v;
  Scalar sign;
};
// R_i = Σ_j (Σ_k sign_k x^k_i v^k_ij) / (Σ_i' Σ_k sign_k x^k_i' v^k_i'j + ε·sign) · R_j,
// computed as z = Σ_k sign_k forward(x^k, v^k), s = R / z, R_in += Σ_k sign_k x^k ⊙ transposeᵏ(s).
void ratio_rule(const LayerView& layer, std::initializer_list<Term> terms, const Tensor& R, Gradients& grads,
                double epsilon);

// The rules that need more than ratio_rule (lrp_rules.cpp).
void epsilon_rule(const LayerView& layer, const Tensor& R, Gradients& grads, double epsilon);
void alpha_beta_rule(const LayerView& layer, const Tensor& R, Gradients& grads, double alpha);
void gamma_rule(const LayerView& layer, const Tensor& R, Gradients& grads, double gamma, double epsilon);

// Which options the conv/dense record r gets (one rule everywhere, or a composite by position).
using LayerChoice = std::function<LrpOptions(const Tape& tape, const Record& r)>;
// The full set of replacement rules (lrp.cpp): conv/dense layers by `choose`,
// the other ops (pooling, residual sums, unfolded batch norms) with ε = `epsilon`.
std::map<OpKind, BackwardRule> rule_set(const LayerChoice& choose, double epsilon, const Tape& recorded);
// Relevance on the input of a forward pass of `model`, with the rules `make` builds from the recorded tape and the
// pass's input leaf; `caller` names the public function in errors.
Tensor relevance_with(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options,
                      const char* caller,
                      const std::function<std::map<OpKind, BackwardRule>(const Tape&, Var input)>& make);

}  // namespace lrp_detail
}  // namespace gcam
