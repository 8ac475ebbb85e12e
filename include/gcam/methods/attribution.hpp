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

// Input × Gradient (Shrikumar et al. 2016): φ = x ⊙ ∂y^c/∂x, per channel
// (N, C, H, W); the map is sum_channels (signed). On a net without biases
// made of ReLU, max-pool and linear layers it equals LRP-0 (lrp.hpp), and on
// a linear model y = w·x + b it is w ⊙ x.
Tensor input_x_gradient(Model& model, const Tensor& images, const std::vector<int>& classes,
                        const MethodOptions& options = {});

// ---- noise tunnel: statistics of the gradient over noisy copies ---------------

// The gradients g_s = ∂y^c/∂x at x + ε_s, s = 1..n, ε_s ~ N(0, σ²) per element,
// σ = smoothgrad_sigma · (max x − min x) of each image, n = smoothgrad_samples,
// noise from gcam::Rng(seed) (so every map below is reproducible), reduced to
// three per-element means, each (N, C, H, W):
struct NoisyGradients {
  Tensor mean_abs;     // (1/n) Σ_s |g_s|
  Tensor mean;         // (1/n) Σ_s g_s
  Tensor mean_square;  // (1/n) Σ_s g_s²
};
NoisyGradients noisy_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                               const MethodOptions& options = {}, std::uint64_t seed = 2017);

// SmoothGrad (Smilkov et al. 2017): M = Σ_c (1/n) Σ_s |g_s| = the mean of the
// saliency maps of the noisy copies. (N, 1, H, W).
Tensor smoothgrad_map(Model& model, const Tensor& images, const std::vector<int>& classes,
                      const MethodOptions& options = {}, std::uint64_t seed = 2017);
// SmoothGrad² (Hooker et al. 2019; Captum's NoiseTunnel "smoothgrad_sq"):
// M = Σ_c (1/n) Σ_s g_s². (N, 1, H, W).
Tensor smoothgrad_squared_map(const NoisyGradients& noisy);
// VarGrad (Adebayo et al. 2018): the variance of the noisy gradients,
// M = Σ_c [(1/n) Σ_s g_s² − ((1/n) Σ_s g_s)²] (population variance, ≥ 0).
// 0 on a linear model, whose gradient does not depend on x. (N, 1, H, W).
Tensor vargrad_map(const NoisyGradients& noisy);

// ---- attributions against a baseline ---------------------------------------------

// Integrated Gradients (Sundararajan et al. 2017) with the baseline x' = 0
// and the midpoint Riemann sum of m = ig_steps steps:
//   IG_i = (x_i − x'_i) · (1/m) Σ_{k=1..m} ∂y^c/∂x_i at x' + ((k − ½)/m)(x − x')
// Completeness: Σ_i IG_i ≈ y^c(x) − y^c(x'), exactly in the limit m → ∞.
// Returns the per-channel attributions (N, C, H, W); the map is sum_channels
// (signed, so that the map also sums to y^c(x) − y^c(x')).
Tensor integrated_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                            const MethodOptions& options = {});

// GradientSHAP (Lundberg & Lee 2017, as Captum's GradientShap, without its
// input noise): the expected gradient × (input − baseline) over baselines b
// drawn uniformly from `baselines` (B, C, H, W) and points α ~ U[0, 1) on the
// segment from b to x:
//   φ = (1/n) Σ_s (x − b_s) ⊙ ∂y^c/∂x at b_s + α_s (x − b_s),   n = shap_samples,
// every image drawing its own (b_s, α_s) from gcam::Rng(seed). Σ φ estimates
// y^c(x) − E_b[y^c(b)] (exact in expectation on a linear model: φ = w ⊙
// (x − b̄)). With one all-zero baseline it is a Monte-Carlo Integrated
// Gradients. explain() uses two baselines: black and U[0, 1) noise (the
// shapes and Fashion-MNIST images lie in [0, 1]). (N, C, H, W).
Tensor gradient_shap(Model& model, const Tensor& images, const std::vector<int>& classes, const Tensor& baselines,
                     const MethodOptions& options = {}, std::uint64_t seed = 2017);

// Occlusion (Zeiler & Fergus 2014, as Captum's Occlusion with a zero
// baseline): a square patch of side occlusion_window, over all channels, is
// set to 0 at top-left corners 0, s, 2s, … (s = occlusion_stride) in each
// direction, plus one corner flush with the far edge when the last patch
// leaves pixels uncovered, so that every pixel is covered. For each patch p
//   Δ_p = y^c(x) − y^c(x with p set to 0),
// and a pixel's attribution is the mean Δ_p over the patches covering it.
// A window of 1 and stride 1 on a linear model gives Σ_c w_c x_c per pixel.
// Forward passes only (options.batch images each). Signed, (N, 1, H, W).
// Throws std::invalid_argument unless 1 ≤ stride ≤ window ≤ min(H, W) (a
// stride longer than the window would leave pixels that no patch covers).
Tensor occlusion_map(Model& model, const Tensor& images, const std::vector<int>& classes,
                     const MethodOptions& options = {});

// DeepLIFT with the rescale rule (Shrikumar et al. 2017), black reference
// x' = 0: contributions φ = (x − x') ⊙ m, where the multipliers m come from
// a backward pass in which each ReLU's rule is replaced by the rescale rule
//   dx += dy · Δy/Δx,   Δx = x − x', Δy = ReLU(x) − ReLU(x')
// (the gradient ReLU'(x) where Δx = 0), x', y' being the same record's input
// and output in a forward pass of the reference (rescale_relu_rule). Every
// other op keeps its gradient rule, which is exact for linear ops (conv,
// dense, batch norm in evaluation, pooling by averaging, sums): on a net of
// those and ReLUs, summation-to-delta holds exactly,
//   Σ_i φ_i = y^c(x) − y^c(x').
// Max-pool keeps its gradient rule (the winner at x), so where the winner
// differs between x and x' the sum is not exact. (N, C, H, W); the map is
// sum_channels (signed).
Tensor deeplift(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options = {});
// The rescale rule for ReLU records, reading x' and y' from `reference` (a
// tape that recorded the same model on the reference batch, so that record
// ids match). `reference` must outlive the rule.
BackwardRule rescale_relu_rule(const Tape& reference);

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
