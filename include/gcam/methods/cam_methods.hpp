// cam_methods.hpp — the explanation methods beyond plain Grad-CAM, and one
// entry point, explain(), that runs any of them by name.
//
// Notation as in gradcam.hpp / docs/gradcam.md: an image x (C, H, W), the
// class score y^c (the logit), the K feature maps A^k (h × w) of a target
// layer, Z = h·w, and g^k_ij = ∂y^c/∂A^k_ij. Every map function below takes
// and returns whole batches: A and g are (N, K, h, w), weights (N, K), maps
// (N, 1, h, w) or (N, 1, H, W). The full equations, the tests that check each
// method and its caveats are in docs/methods.md.
//
// Two families:
//  - CAM family (a map at the target layer, upsampled like Grad-CAM step 4,
//    NOT normalized): cam, gradcam, gradcam-counterfactual, gradcam++,
//    xgradcam, hirescam, layercam, gradcam-elementwise, scorecam, ablationcam,
//    eigencam, eigengradcam, kpcacam, fem, shapleycam, finercam, layercam-fusion.
//  - Input attributions (attribution.hpp, fullgrad.hpp, lrp.hpp; a map at the
//    input resolution directly): saliency, input-x-gradient, smoothgrad,
//    smoothgrad-sq, vargrad, integrated-gradients, gradient-shap, deeplift,
//    occlusion, fullgrad, guided-backprop, guided-gradcam and the LRP rules.
#pragma once

#include <string>
#include <vector>

#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

class ThreadPool;

struct MethodOptions {
  std::string layer;  // target layer ("" = model.last_conv_block())
  Kernels kernels = Kernels::Fast;
  ThreadPool* pool = nullptr;
  int smoothgrad_samples = 25;             // SmoothGrad: noisy copies per image
  double smoothgrad_sigma = 0.15;          // noise std as a fraction of each image's value range (max − min)
  int ig_steps = 32;                       // Integrated Gradients: Riemann steps (midpoint rule), baseline = zeros
  double lrp_epsilon = 1e-6;               // LRP-ε stabilizer
  double lrp_alpha = 2;                    // LRP-αβ: α, with β = α − 1
  double lrp_gamma = 0.25;                 // LRP-γ: the boost of the weights of each output's sign
  int batch = 32;                          // Score-CAM / Ablation-CAM / Occlusion: images per forward pass
  double fem_k = 2;                        // FEM: a pixel counts when A ≥ mean + fem_k · std of its channel
  int shap_samples = 32;                   // GradientSHAP: (baseline, point) samples per image
  int occlusion_window = 4;                // Occlusion: side of the square patch set to 0, in pixels
  int occlusion_stride = 2;                // Occlusion: step between patches, in pixels
  double finer_alpha = 1;                  // Finer-CAM: weight of the most similar class's score
  std::vector<std::string> fusion_layers;  // multi-layer fusion: the layers ({} = fusion_layers(model))
};

// An explanation map per image: (N, 1, H, W) at the INPUT resolution.
// CAM-family maps are upsampled bilinearly like Grad-CAM's step 4 but NOT
// normalized; input-gradient methods are reduced over channels as documented
// per method (attribution.hpp). `classes` holds one class per image.
// Throws UnknownName listing method_names() for an unknown method name, and
// std::invalid_argument for a wrong class count or a class out of range.
Tensor explain(const std::string& method, Model& model, const Tensor& images, const std::vector<int>& classes,
               const MethodOptions& options = {});

// The names explain() accepts, in a fixed order.
std::vector<std::string> method_names();

// What a method is, for `gradcam explain --list-methods` and for drawing it.
struct MethodInfo {
  std::string name;
  std::string summary;  // one line: what the map shows
  bool signed_map;      // its map takes both signs: drawn on the diverging colour map
  // It explains the target layer MethodOptions::layer (the CAM family but CAM,
  // which reads the input of the final pooling, and the fusion, which picks
  // its own layers): what fuse_layer_maps can fuse.
  bool at_target_layer = false;
};
// Every method, in method_names() order.
const std::vector<MethodInfo>& method_catalogue();
// The entry of `method`; throws UnknownName (with "did you mean") otherwise.
const MethodInfo& method_info(const std::string& method);

// ---- shared plumbing ---------------------------------------------------------

// The target of the CAM methods as Grad-CAM's step 1 takes it (layer_gradients
// in gradcam.hpp): the logit of each image's class c at options.layer.
GradCamOptions target_options(const std::vector<int>& classes, const MethodOptions& options);

// ---- gradient-weighted CAM variants: one function per equation ----------------

// Grad-CAM++ (Chattopadhay et al. 2018, eq. 19 with S = exp(y^c)):
//   α^kc_ij = g²_ij / (2 g²_ij + Σ_ab A^k_ab g³_ij)   (0 where the denominator is 0)
//   w^c_k   = Σ_ij α^kc_ij · ReLU(g_ij)
// With S^c = exp(y^c), ∂S/∂A = S·g, and the S factors of the second and third
// derivatives cancel in α, leaving powers of g = ∂y^c/∂A (exact for a net that
// is piecewise linear above A, where higher derivatives of y^c vanish).
// (N, K, h, w) × 2 → (N, K). The map is relu_map(weighted_combination(w, A)).
Tensor grad_cam_plus_plus_weights(const Tensor& activations, const Tensor& gradients);

// XGrad-CAM (Fu et al. 2020, eq. 12): w^c_k = Σ_ij (A^k_ij / Σ_ab A^k_ab) g^k_ij
// (0 for a channel whose Σ_ab A^k_ab is 0). (N, K, h, w) × 2 → (N, K).
Tensor xgrad_cam_weights(const Tensor& activations, const Tensor& gradients);

// HiResCAM (Draelos & Carin 2020): M_ij = Σ_k g^k_ij · A^k_ij, elementwise (no
// spatial averaging of the gradients). Signed; explain() applies relu_map.
// (N, K, h, w) × 2 → (N, 1, h, w).
Tensor hires_cam_map(const Tensor& activations, const Tensor& gradients);

// LayerCAM (Jiang et al. 2021, eqs. 5–6): M_ij = Σ_k ReLU(g^k_ij) · A^k_ij, then
// ReLU. (N, K, h, w) × 2 → (N, 1, h, w).
Tensor layer_cam_map(const Tensor& activations, const Tensor& gradients);

// ---- gradient-free CAM variants -------------------------------------------------

// Score-CAM (Wang et al. 2020), the variant used here:
//   M^k   = normalize_to_unit(upsample_bilinear(A^k))          (each map into [0, 1])
//   s^c_k = y^c(x ⊙ M^k)                                       (the masked image's logit, forward passes in batches)
//   w^c_k = softmax_k(s^c_k) = exp(s_k) / Σ_k' exp(s_k')
//   map   = ReLU(Σ_k w^c_k A^k)
// The softmax is over the raw masked logits; subtracting the baseline
// y^c(x_b) (the paper's "increase of confidence") would not change it, since
// softmax is invariant to a constant shift. A constant channel (max = min)
// gets the all-zero mask. Returns the weights (N, K).
Tensor score_cam_weights(Model& model, const Tensor& images, const Tensor& activations, const std::vector<int>& classes,
                         const MethodOptions& options = {});

// Ablation-CAM (Desai & Ramaswamy 2020, eq. 3):
//   w^c_k = (y^c − y^c_k) / y^c,   y^c_k = y^c with channel A^k zeroed,
// with only what lies above the target re-run (Model::forward_above) from
// the ablated A, `options.batch` ablations per forward pass: the layers above
// a layer's output; for a value inside a block, that block (from its input,
// lg.layer_input) and the layers above it.
// A y^c of exactly 0 gives weights 0. Returns the weights (N, K).
Tensor ablation_cam_weights(Model& model, const LayerGradients& lg, const MethodOptions& options = {});

// Eigen-CAM (Muhammad & Yeasin 2020): per image, reshape A to a Z × K matrix,
// centre each column (subtract each channel's spatial mean), take the first
// right singular vector v (the first principal direction) as the top
// eigenvector of the K × K matrix CᵀC (cyclic Jacobi rotations: no start
// vector that could be orthogonal to it), and project: M = C·v reshaped to
// h × w. Constant channels (trace(CᵀC) = 0) give the all-zero map.
// Sign rule: a singular vector's sign is arbitrary, so the map is flipped when
// its largest-magnitude value is negative (the strongest response is positive).
// Class independent. Returns the signed projection (N, 1, h, w).
Tensor eigen_cam_map(const Tensor& activations);

// KPCA-CAM (Karmani et al. 2024): Eigen-CAM with kernel PCA. The Z positions
// of image n are points a_z ∈ R^K (the K channel values, centred over the
// positions); with a kernel κ the Gram matrix G_ab = κ(a_a, a_b) is centred
// in feature space, G̃ = G − 1G − G1 + 1G1 (1 = the Z×Z matrix of 1/Z), and
// the map is each point's projection on the first kernel principal
// component: M_z = √λ · u_z, (λ, u) the top eigenpair of G̃ (Jacobi, as
// Eigen-CAM), with Eigen-CAM's sign rule.
//   Rbf:    κ(a, b) = exp(−γ ‖a − b‖²), γ = `gamma` (≤ 0: 1/K, scikit-learn's default)
//   Linear: κ(a, b) = a·b, and then M is exactly Eigen-CAM's C·v.
// Class independent. Costs a Z×Z eigenproblem per image: fine for the 8×8
// maps of the built-in models, slow for maps of more than ~30×30; throws
// std::invalid_argument above kKpcaMaxPositions positions.
enum class CamKernel { Rbf, Linear };
constexpr int kKpcaMaxPositions = 4096;
Tensor kpca_cam_map(const Tensor& activations, CamKernel kernel = CamKernel::Rbf, double gamma = 0);

// Eigen-Grad-CAM (pytorch-grad-cam's EigenGradCAM): Eigen-CAM (above) of the
// element-wise products A^k ⊙ g^k instead of A, so that the principal
// component depends on the class. With every g = 1 it is Eigen-CAM, and with
// every g = s > 0 it is s times Eigen-CAM. Signed, (N, 1, h, w).
Tensor eigen_grad_cam_map(const Tensor& activations, const Tensor& gradients);

// Grad-CAM element-wise (pytorch-grad-cam's GradCAMElementWise):
//   M_ij = Σ_k ReLU(g^k_ij · A^k_ij),
// HiResCAM with each product clipped at 0 before the channel sum (so that one
// channel's negative evidence cannot cancel another's positive evidence).
// (N, K, h, w) × 2 → (N, 1, h, w), non-negative.
Tensor grad_cam_element_wise_map(const Tensor& activations, const Tensor& gradients);

// FEM, the Feature Explanation Method (Fuad et al. 2020): per channel k the
// spatial mean μ_k and standard deviation σ_k (population, over the h·w
// positions) give a k-sigma threshold; each pixel at or above it counts, with
// the channel mean as its weight:
//   M_ij = Σ_k μ_k · 1[A^k_ij ≥ μ_k + k_sigma · σ_k]
// Gradient free and class independent. A constant channel (σ = 0) marks every
// pixel. (N, K, h, w) → (N, 1, h, w).
Tensor fem_map(const Tensor& activations, double k_sigma = 2);

// ShapleyCAM (Cai 2025): the CAM weights read as a second-order estimate of
// each channel's Shapley value, for a target score s:
//   w_k = (1/Z) Σ_ij [∂s/∂A − ½ H_s A]^k_ij,      map = ReLU(Σ_k w_k A^k)
// with H_s the Hessian of s with respect to A. The tape has no second
// derivatives, so the Hessian-vector product is a central difference of two
// more gradients along A itself, each pass re-running only what lies above
// the target (Model::forward_above):
//   H_s A ≈ (∇s(A + εA) − ∇s(A − εA)) / (2ε),   ε = `step` (error O(ε²)).
// Targets: ReST (the paper's residual softmax target, as its author's
// ClassifierOutputReST in pytorch-grad-cam: y^c minus the cross-entropy of
// class c), s = y^c + log softmax(z)_c, the default; LogSoftmax, s = log p_c;
// Logit, s = y^c. The logit adds no curvature, so ReST and LogSoftmax share
// H_s and differ in the gradient (2g^c − Σ_m p_m g^m vs g^c − Σ_m p_m g^m).
// Above a piecewise-linear head the logit's Hessian is 0 almost everywhere,
// so with Logit ShapleyCAM is Grad-CAM. Returns the weights (N, K); throws
// std::invalid_argument for step ≤ 0.
enum class ShapleyTarget { ReST, LogSoftmax, Logit };
Tensor shapley_cam_weights(Model& model, const LayerGradients& lg, ShapleyTarget target = ShapleyTarget::ReST,
                           const MethodOptions& options = {}, double step = 1e-3);

// ---- comparing classes, fusing layers ------------------------------------------

// Finer-CAM (Zhang et al. 2025): Grad-CAM of the score difference
//   y^c − α · y^{c'},   c' = the class with the largest logit other than c,
// so that what c shares with its nearest rival cancels and what tells them
// apart stays. The gradient of the difference is g^c − α g^{c'} (two
// backward passes to A); then eq. (8) and L = ReLU(Σ_k α_k A^k). α =
// options.finer_alpha; α = 0 is Grad-CAM. Returns (N, 1, h, w), the signed
// weighted sum; `rivals`, if given, receives c' per image.
Tensor finer_cam_map(Model& model, const Tensor& images, const std::vector<int>& classes,
                     const MethodOptions& options = {}, std::vector<int>* rivals = nullptr);

// The default layers of a multi-layer fusion: one per spatial resolution, the
// last named value with feature maps at each (the output of each stage, where
// the next one downsamples): relu1, relu2, relu4 on shapes-cnn; layer1,
// layer2, layer3 on resnet-mini.
std::vector<std::string> fusion_layers(const Model& model);

// Multi-layer fusion (as pytorch-grad-cam aggregates several target layers;
// LayerCAM's paper fuses its stages): explain `method` at each layer l, scale
// each upsampled map into [0, 1] (normalize_to_unit) and average:
//   F = (1/L) Σ_l normalize_to_unit(M_l)
// so that a coarse late layer and a fine early one weigh the same. The method
// must explain a chosen layer (MethodInfo::at_target_layer), else
// std::invalid_argument; an unknown one throws UnknownName. (N, 1, H, W), in [0, 1].
Tensor fuse_layer_maps(const std::string& method, Model& model, const Tensor& images, const std::vector<int>& classes,
                       const std::vector<std::string>& layers, const MethodOptions& options = {});

}  // namespace gcam
