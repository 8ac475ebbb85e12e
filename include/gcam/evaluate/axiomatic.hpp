// axiomatic.hpp — properties a map should have by construction. The Quantus
// "axiomatic" family: completeness and input invariance.
// Definitions and tests: docs/metrics.md, "Quantus families".
#pragma once

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

// Completeness (Sundararajan et al. 2017; Bach et al. 2015 call it
// conservation): a map should sum to the change of the score from the
// baseline x' = 0 (Integrated Gradients' baseline here). Per image,
//   Δ = f(x) − f(0),   gap = |Σ_p m_p − Δ| / |Δ|     (|Σ_p m_p| when Δ = 0).
// Meant for f = the logit (logit_scorer), as Integrated Gradients and LRP-ε
// conserve logits, not probabilities. 0 for a map that sums to Δ exactly (a
// linear model's w ⊙ x); lower is better. Scores 2N images.
ImageScores completeness_gap(const ScoreFunction& logit, const Tensor& images, const Tensor& maps,
                             const std::vector<int>& classes);

struct InputInvariance {
  ImageScores change;       // relative_change(Φ(x), Φ'(x + shift)) per image (robustness.hpp); 0 = invariant
  double logit_change = 0;  // max |z'_c(x + shift) − z_c(x)|: how far the shifted model is from the original
};

// Input invariance (Kindermans et al. 2017): shift every input by a constant,
// x ↦ x + shift, and compensate in the first layer's bias, b'_o = b_o − shift ·
// Σ_{i,kh,kw} W_{o,i,kh,kw} (a dense layer: Σ over its inputs), so that the
// first layer's output, hence the model, is unchanged. A method is input
// invariant if its map is unchanged: change = 0. The model's first layer (after
// any Flatten) must be a Conv2d with a bias or a Dense layer, else
// std::invalid_argument. A padded convolution sees zeros, not `shift`, beyond
// the image border, so there the compensation is not exact: logit_change
// reports what that does to the explained logits (0 up to rounding for a
// dense or unpadded first layer). The bias is restored on return, also when
// `explain` throws.
InputInvariance input_invariance(Model& model, const ExplainFunction& explain, const Tensor& images,
                                 const std::vector<int>& classes, double shift = -1);

}  // namespace gcam
