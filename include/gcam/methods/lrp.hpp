// lrp.hpp — Layer-wise Relevance Propagation (Bach et al. 2015), through the tape.
//
// Relevance starts at the output as R = y^c at class c and 0 elsewhere (the
// one-hot seed of y^c times the logit), and walks the same tape backward as a
// gradient would, but with every layer's backward rule replaced
// (BackwardOptions::rules): each rule receives the relevance R_j of its
// output as "upstream" and adds the relevance of its inputs.
//
// For a linear or conv layer with inputs a_i, weights w_ij, bias b_j and
// pre-activations z_j = Σ_i a_i w_ij + b_j (the recorded output):
//   ε rule   R_i = Σ_j a_i w_ij / (z_j + ε·sign(z_j)) · R_j        (sign(0) = +1)
//   αβ rule  R_i = Σ_j ( α (a_i w_ij)⁺ / z⁺_j − β (a_i w_ij)⁻ / z⁻_j ) · R_j,  β = α − 1,
//            z⁺_j = Σ_i (a_i w_ij)⁺, z⁻_j = Σ_i (a_i w_ij)⁻ (bias ignored; a zero z⁺ or z⁻ contributes 0)
//   γ rule   R_i = Σ_j a_i (w_ij + γ w^±_ij) / (z^γ_j + ε·sign(z^γ_j)) · R_j,
//            z^γ_j = Σ_i a_i (w_ij + γ w^±_ij) + b_j + γ b^±_j, with w^± = w⁺, b^± = b⁺ for an output
//            z_j ≥ 0 and w⁻, b⁻ for z_j < 0, so that z^γ moves away from 0 for inputs a ≥ 0 (the bias gets the same
//            boost; γ = 0: the ε rule)
//   z⁺ rule  R_i = Σ_j a_i w⁺_ij / Σ_i' a_i' w⁺_i'j · R_j          (bias ignored; the deep Taylor rule for
//            a ≥ 0, where it equals αβ with α = 1, β = 0; a zero denominator passes nothing)
//   z^B rule R_i = Σ_j (a_i w_ij − l w⁺_ij − h w⁻_ij) / (Σ_i' (a_i' w_i'j − l w⁺_i'j − h w⁻_i'j) + ε) · R_j
//   (box)    for inputs in [l, h] (bias ignored). For the first layer only. Default l, h: the min and max
//            of the whole batch of images (every image, channel and pixel), so an image's relevance then
//            depends on the rest of its batch; LrpOptions::low/high fix them. A conv's zero padding
//            counts as a = l = h = 0 (a constant, not an input). l = h = 0: the ε rule without bias.
//   flat     R_i = Σ_j 1 / (Σ_i' 1) · R_j: every input of the receptive field gets an equal share; only real
//            inputs count (a padded position gets none and is not in the count). Bias ignored.
//   w²       R_i = Σ_j w²_ij / Σ_i' w²_i'j · R_j (inputs replaced by 1; padding as for flat; bias ignored)
// w⁺ = max(w, 0), w⁻ = min(w, 0). All are computed with the "gradient
// trick": s = R / z, c = the layer's transposed map applied to s (its
// input-gradient kernel), R_in = a ⊙ c; the modified rules run the same maps
// with modified inputs (l, h, 1) and weights (w⁺, w⁻, 1, w², w + γw⁺).
// A batch norm folded into a conv (below) is folded for every rule: w is then w'.
// Other ops:
//   ReLU                      pass: R_in = R_out
//   max-pool                  winner-take-all: R goes to the arg-max input (the gradient route)
//   reshape / flatten, select pass (select puts y^c's relevance on logit c)
//   global / average pooling  proportional (the ε rule with weights 1/k²): R_i = (a_i/k²) R_j / (z_j + ε·sign z_j), in
//   both modes
//   batch norm after a conv   folded into it (the canonizer of LRP toolkits): the conv's rule uses
//                             w'_o = w_o·γ_o/σ_o and z = the batch norm's output (bias b'_o =
//                             (b_o − μ_o)·γ_o/σ_o + β_o), and the batch norm passes R down unchanged;
//                             σ_o = √(running_var_o + ε_BN) in evaluation mode
//   other batch norm          the ε rule of y = (γ/σ)·x + shift: R_in = x·(γ/σ)·R / (y + ε·sign y)
//   residual sum z = a + b    shared in proportion to each branch's part: R_a = a·R/(z + ε·sign z),
//                             R_b = b·R/(z + ε·sign z)
// With LrpOptions every conv/dense layer gets the same rule (so LRP-0 equals
// gradient × input on ReLU/max-pool nets). A rule per layer position (a
// composite, e.g. z^B on the first layer): lrp_composite.hpp.
// Equations, tests and caveats: docs/methods.md.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include "gcam/methods/cam_methods.hpp"

namespace gcam {

// The conv/dense rules (equations above). ZBox is for the first layer only:
// lrp_rules(LrpOptions) refuses it, an LrpComposite accepts it as `first`.
enum class LrpRule { Epsilon, AlphaBeta, Gamma, ZPlus, ZBox, Flat, WSquare };

struct LrpOptions {
  LrpRule rule = LrpRule::Epsilon;
  double epsilon = 1e-6;  // ε, γ and z^B rules' stabilizer (ε = 0: LRP-0; zero denominators then pass no relevance)
  double alpha = 2;       // αβ rule: α (β = α − 1)
  double gamma = 0.25;    // γ rule: the boost γ ≥ 0 of the weights of each output's sign
  // z^B rule: the box [low, high] of the inputs; unset: the min (max) of the batch's images.
  std::optional<double> low, high;
};

// The replacement backward rules that turn a gradient pass into relevance
// propagation (Conv2d, BatchNorm2d, Linear, Relu, MaxPool2d, AvgPool2d,
// GlobalAvgPool, Add, Reshape, Select) on `recorded`, whose batch norms after
// a conv are folded into it.
std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options, const Tape& recorded);
// The same for a tape without batch norm (nothing to fold). Both throw
// std::invalid_argument for LrpRule::ZBox (first layer only: lrp_composite.hpp).
std::map<OpKind, BackwardRule> lrp_rules(const LrpOptions& options);

// Relevance on the input for each image: (N, C, H, W). With the ε rule, zero
// biases (and zero folded biases b': β = 0 and running means 0) and ε → 0,
// Σ_i R_i = y^c (conservation). Throws std::invalid_argument for a batch that
// is not (N, C, H, W), a class count other than N, or the ZBox rule.
Tensor lrp_relevance(Model& model, const Tensor& images, const std::vector<int>& classes, const LrpOptions& lrp = {},
                     const MethodOptions& options = {});

}  // namespace gcam
