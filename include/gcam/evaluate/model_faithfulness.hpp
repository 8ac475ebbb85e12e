// model_faithfulness.hpp — does the map predict what the model does when the
// image is perturbed? The Quantus "faithfulness" family beyond the deletion,
// insertion, Average Drop and ROAD of faithfulness.hpp, whose conventions hold
// here: images (N, C, H, W), maps (N, 1, H, W) raw and possibly signed, one
// class per image, `score` a ScoreFunction (compare uses probability_scorer;
// the tests use hand-made linear scorers), removing a pixel acts on all its
// channels, and every random draw comes from Rng(seed).
//
// Also in this family, already here:
//  - pixel flipping (Bach et al. 2015): flip the pixels most relevant first to
//    a baseline and follow the score. With the baseline 0 and one pixel per
//    step that is deletion_curve(score, images, maps, classes, H·W);
//    deletion_curve with fewer steps flips H·W/steps pixels per step.
//  - ROAD (Rong et al. 2022) averaged over the percentages, and ROADCombined
//    of pytorch-grad-cam, (mean LeRF − mean MoRF)/2: road(), RoadResult.
// Definitions and tests: docs/metrics.md, "Quantus families".
#pragma once

#include <cstdint>

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

// Faithfulness correlation (Bhatt et al. 2020). For each image, `samples`
// random subsets S_s of `subset_size` distinct pixels (uniform, Rng(seed)
// shared by the run); x_{S} = x with the pixels of S set to the baseline 0;
//   ρ = pearson( [Σ_{p∈S_s} m_p]_s , [f(x) − f(x_{S_s})]_s ).
// 1 when the map's sums predict the score drops linearly (a linear scorer
// f(x) = Σ w·x and m = w ⊙ x give exactly 1); 0 when either side is constant.
// Higher is better. Scores N·(samples + 1) images.
ImageScores faithfulness_correlation(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                     const std::vector<int>& classes, int subset_size = 64, int samples = 32,
                                     std::uint64_t seed = 13);

// Infidelity (Yeh et al. 2019) with Gaussian perturbations I_p ~ N(0, σ²) per
// pixel (subtracted from all its channels), `samples` draws from Rng(seed):
//   INFD = (1/S) Σ_s ( Σ_p I_p m_p − (f(x) − f(x − I_s)) )²,
// without Yeh's optimal rescaling of m (as Captum's default normalize=False).
// 0 for the exact attribution of a linear scorer f(x) = Σ_p w_p x_p, m = w.
// Lower is better. Scores N·(samples + 1) images.
ImageScores infidelity(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                       const std::vector<int>& classes, double sigma = 0.1, int samples = 32, std::uint64_t seed = 17);

// IROF, Iterative Removal Of Features (Rieger & Hansen 2020). Segments: here a
// fixed grid of `patch` × `patch` squares (the last row and column of squares
// may be smaller), not superpixels. Segments are ordered by their mean map
// value, highest first (ties by index, row-major over the grid); x_k = x with
// the first k of the K segments set to the image's mean per channel;
//   y_k = f(x_k) / f(x),   IROF = 1 − trapezoid_auc(y_0..y_K),
// the area over the curve on fractions 0..1. Higher is better (the score
// falls fast when the top segments go). f(x) must be positive (a probability);
// an image with f(x) ≤ 0 gets 0. Scores N·(K + 1) images.
ImageScores irof(const ScoreFunction& score, const Tensor& images, const Tensor& maps, const std::vector<int>& classes,
                 int patch = 4);

// Monotonicity correlation (Nguyen & Martínez 2020; Quantus's
// MonotonicityCorrelation, here with the squares of irof's grid as features):
// for each `patch` × `patch` square k, the relevance a_k = |Σ_{p∈k} m_p| and
// the effect of removing it δ_k = |f(x) − f(x with square k set to 0)|;
//   ρ = spearman(a, δ)
// over the K squares, per image. 1 when the map ranks the squares exactly by
// their effect on the score (m = w ⊙ x for a linear scorer), −1 when it ranks
// them backwards. Higher is better. Scores N·(K + 1) images.
ImageScores monotonicity_correlation(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                     const std::vector<int>& classes, int patch = 4);

}  // namespace gcam
