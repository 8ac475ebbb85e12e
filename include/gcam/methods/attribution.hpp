// attribution.hpp — input attributions: maps at the input resolution built
// from ∂y^c/∂x (y^c = the logit of class c) rather than from a layer's maps.
//
// All functions take a batch x (N, C, H, W) and one class per image. The
// per-channel results are (N, C, H, W); the maps explain() returns are
// (N, 1, H, W), reduced over channels as documented per method. Equations,
// tests and caveats: docs/methods.md.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "gcam/methods/cam_methods.hpp"

namespace gcam {

// ∂y^c/∂x for every image of the batch: one forward, one backward pass seeded
// with ones at y^c. `rules` replace the standard backward rule of their op
// kinds for this pass only (guided backprop replaces Relu). `logits`, if
// given, receives the forward pass's logits (N, classes). (N, C, H, W).
Tensor input_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                       const MethodOptions& options = {}, const std::map<OpKind, BackwardRule>& rules = {},
                       Tensor* logits = nullptr);

// Σ_c |t_c| per pixel: (N, C, H, W) → (N, 1, H, W).
Tensor abs_sum_channels(const Tensor& t);
// Σ_c t_c per pixel (signed): (N, C, H, W) → (N, 1, H, W).
Tensor sum_channels(const Tensor& t);

// Gradient saliency (Simonyan et al. 2014): M_ij = Σ_c |∂y^c/∂x_cij|.
// (The paper takes max_c; for the single-channel inputs used here both agree.)
Tensor saliency_map(Model& model, const Tensor& images, const std::vector<int>& classes,
                    const MethodOptions& options = {});

// SmoothGrad (Smilkov et al. 2017): M = (1/n) Σ_s saliency(x + ε_s),
// ε_s ~ N(0, σ²) per element, σ = smoothgrad_sigma · (max x − min x) of each
// image, n = smoothgrad_samples. The noise comes from gcam::Rng with the
// fixed seed `seed`, so the map is reproducible. (N, 1, H, W).
Tensor smoothgrad_map(Model& model, const Tensor& images, const std::vector<int>& classes,
                      const MethodOptions& options = {}, std::uint64_t seed = 2017);

// Integrated Gradients (Sundararajan et al. 2017) with the baseline x' = 0
// and the midpoint Riemann sum of m = ig_steps steps:
//   IG_i = (x_i − x'_i) · (1/m) Σ_{k=1..m} ∂y^c/∂x_i at x' + ((k − ½)/m)(x − x')
// Completeness: Σ_i IG_i ≈ y^c(x) − y^c(x'), exactly in the limit m → ∞.
// Returns the per-channel attributions (N, C, H, W); the map is sum_channels
// (signed, so that the map also sums to y^c(x) − y^c(x')).
Tensor integrated_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                            const MethodOptions& options = {});

// Guided backpropagation (Springenberg et al. 2015): the ReLU backward rule
// becomes  dx += dy · [x > 0] · [dy > 0]  (only positive signals that the
// ReLU let through travel down). Every other op keeps its standard rule.
BackwardRule guided_relu_rule();
// ∂y^c/∂x with guided_relu_rule for every ReLU: (N, C, H, W). The map is
// abs_sum_channels of it.
Tensor guided_backprop(Model& model, const Tensor& images, const std::vector<int>& classes,
                       const MethodOptions& options = {});

// Guided Grad-CAM (Selvaraju et al. 2017): guided ⊙ U(L^c) pixelwise, with
// guided the guided-backprop map (N, 1, H, W) and U(L^c) Grad-CAM's
// upsampled map (N, 1, H, W).
Tensor guided_grad_cam_map(const Tensor& guided_map, const Tensor& upsampled_grad_cam);

}  // namespace gcam
