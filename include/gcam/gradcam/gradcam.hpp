// gradcam.hpp — Grad-CAM, one function per step of the theory.
//
// Notation (docs/gradcam.md): an image x, the class score y^c, the feature
// maps A^k (k = 1..K, each h×w) of a target layer, Z = h·w.
//
//   Step 1  y^c                      class_score()             src/gradcam/gradient_step.cpp
//           ∂y^c/∂A^k_ij             activation_gradients()    src/gradcam/gradient_step.cpp
//   Step 2  α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij   eq. (8)   channel_weights()   src/gradcam/channel_weights.cpp
//   Step 3  Σ_k α^c_k A^k            weighted_combination()    src/gradcam/weighted_map.cpp
//           L^c = ReLU(Σ_k α^c_k A^k)  relu_map()              src/gradcam/weighted_map.cpp
//   Step 4  upsample L^c to the input size  upsample_bilinear()  src/gradcam/upsample.cpp
//           scale to [0, 1]          normalize_to_unit()       src/gradcam/normalize.cpp
//           colour, overlay          include/gcam/render/heatmap.hpp
//
// grad_cam() (src/gradcam/gradcam.cpp) runs all steps for a batch and keeps
// every intermediate in a GradCamResult, so a student can print or save any
// of them. CAM, which Grad-CAM generalizes, is in src/gradcam/cam.cpp.
#pragma once

#include <string>
#include <vector>

#include "gcam/core/workspace.hpp"
#include "gcam/nn/model.hpp"

namespace gcam {

// Which number stands for "the score of class c".
enum class ScoreKind {
  Logit,        // the pre-softmax output (default, as in the paper)
  Probability,  // softmax(z)_c — saturates near 1, giving vanishing gradients
};

struct GradCamOptions {
  std::string layer;         // target layer name; "" = model.last_conv_block()
  std::vector<int> classes;  // one class per image; empty = each image's predicted class
  ScoreKind score = ScoreKind::Logit;
  bool counterfactual = false;  // use −∂y^c/∂A: regions that speak against class c
  Kernels kernels = Kernels::Fast;
  ThreadPool* pool = nullptr;
  // Buffers reused from call to call (keep the vector alive between calls;
  // do not share it between threads that call at the same time): the same
  // results, without allocating and first touching every activation again.
  // One Workspace per part of a batch that runs on its own thread (element t
  // for part t; grown as needed). nullptr = allocate.
  std::vector<Workspace>* workspaces = nullptr;
};

// Every intermediate of one Grad-CAM run on a batch of N images.
struct GradCamResult {
  std::string layer;            // the target layer
  std::vector<int> classes;     // c for each image
  std::vector<Scalar> scores;   // y^c for each image
  Tensor logits;                // (N, classes)
  Tensor activations;           // A, (N, K, h, w)
  Tensor gradients;             // ∂y^c/∂A (negated in counterfactual mode), (N, K, h, w)
  Tensor weights;               // α^c_k, (N, K)
  Tensor weighted_sum;          // Σ_k α^c_k A^k, signed, (N, 1, h, w)
  Tensor map;                   // L^c = ReLU(weighted_sum), (N, 1, h, w)
  Tensor upsampled;             // L^c at input size, (N, 1, H, W)
  Tensor heatmap;               // upsampled, scaled to [0, 1] per image, (N, 1, H, W)
  std::vector<bool> empty_map;  // true where L^c was all zero (the heatmap is then all zero)
  int rules_run = 0;            // backward rules run: only the records above A
};

// Step 1 for a batch on one tape: the forward pass, y^c and ∂y^c/∂A^k_ij
// (without the counterfactual sign: that is grad_cam's choice).
struct LayerGradients {
  std::string layer;           // the target layer's name
  int output_index = -1;       // its index in Model::outputs()
  std::vector<int> classes;    // c for each image
  std::vector<Scalar> scores;  // y^c for each image
  Tensor logits;               // (N, classes)
  Tensor activations;          // A, (N, K, h, w)
  Tensor gradients;            // ∂y^c/∂A, (N, K, h, w)
  int rules_run = 0;           // backward rules run: only the records above A
  // The input of the composite layer that holds the target, when the target
  // is a value inside it (a block's "layer2.0.conv1"); empty otherwise.
  // Model::forward_above needs it to re-run that layer.
  Tensor layer_input;
};
// Uses options.layer, classes (empty = each image's predicted class), score,
// kernels and pool; one thread. Throws UnknownName for an unknown layer or one
// without feature maps, std::invalid_argument for bad classes, NumericError
// for non-finite images or logits.
LayerGradients layer_gradients(Model& model, const Tensor& images, const GradCamOptions& options);

// Step 1: y^c for each image — the logit z_c, or softmax(z)_c. Returns a value
// of shape (N) on the tape, ready to be seeded with ones.
Var class_score(Tape& tape, Var logits, const std::vector<int>& classes, ScoreKind kind);

// Step 1: ∂y^c/∂A^k_ij for every k, i, j, by seeding y^c with 1 and walking the
// tape backward only as far as A (nothing below A is computed). Images do not
// interact, so one backward pass serves the whole batch.
// `rules_run`, if given, receives how many backward rules ran (only records above A).
Tensor activation_gradients(const Tape& tape, Var score, Var activations, int* rules_run = nullptr);

// Step 2, eq. (8): α^c_k = (1/Z) Σ_i Σ_j ∂y^c/∂A^k_ij. (N, K, h, w) → (N, K).
Tensor channel_weights(const Tensor& gradients);

// Step 3: Σ_k α^c_k A^k, the signed class map. (N, K), (N, K, h, w) → (N, 1, h, w).
Tensor weighted_combination(const Tensor& weights, const Tensor& activations);

// Step 3: L^c = ReLU(Σ_k α^c_k A^k) — keep only what raises y^c.
Tensor relu_map(const Tensor& weighted_sum);

// Step 4: bilinear upsampling of (N, C, h, w) to (N, C, H, W) with half-pixel
// centres: output pixel (i, j) samples the input at ((i + ½)·h/H − ½, (j + ½)·w/W − ½),
// clamped at the border — PyTorch's interpolate(mode="bilinear", align_corners=False).
Tensor upsample_bilinear(const Tensor& maps, int height, int width);

// Step 4: per image, (L − min) / (max − min) into [0, 1]. A constant map
// (all zero after the ReLU, for example) becomes all zero, never NaN;
// `constant[n]` then reports true.
Tensor normalize_to_unit(const Tensor& maps, std::vector<bool>* constant = nullptr);

// All steps for a batch (N, C, H, W). Throws UnknownName for an unknown layer,
// std::invalid_argument for a class out of range or a wrong class count.
GradCamResult grad_cam(Model& model, const Tensor& images, const GradCamOptions& options = {});

// Image n's plane of a (N, 1, H, W) map (heatmap, upsampled, map, ...) as (H, W).
Tensor image_map(const Tensor& maps, int n);

// CAM (Zhou et al. 2016) for a model ending in global average pooling and one
// dense layer: M^c = Σ_k w^c_k A^k with w^c the dense weights of class c,
// A the input of the pooling. Returns (N, 1, h, w); throws std::invalid_argument
// for other architectures. On such a model Grad-CAM's weighted_sum = M^c / Z.
Tensor class_activation_map(Model& model, const Tensor& images, const std::vector<int>& classes);

// Input checks shared by every explanation method; `who` starts the message.
// Images: a batch (N, C, H, W) with N ≥ 1 and only finite values (ShapeError,
// or NumericError naming the image and element). Classes: one per image,
// each in [0, class_count) (std::invalid_argument).
void check_images(const std::string& who, const Tensor& images);
void check_classes(const std::string& who, const std::vector<int>& classes, int images, int class_count);

// The index of class `name` among `class_names`, or the number itself if
// `name` is an integer in range; throws UnknownName listing the valid names.
int class_index(const std::string& name, const std::vector<std::string>& class_names);

}  // namespace gcam
