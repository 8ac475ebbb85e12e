// faithfulness.hpp — is an explanation map faithful to the model, and does it
// point at the object? Metrics for maps of any method (cam_methods.hpp), plus
// two baselines every method should beat.
//
// Conventions shared by every function here:
//  - a map is (N, 1, H, W) at the input resolution (what explain() returns),
//    raw: not normalized, possibly signed; a single map may be (H, W);
//  - "most relevant" = largest map value. Pixels are ranked by
//    relevance_order(): descending value, ties in row-major order (a stable
//    sort), so a constant map ranks pixels top-left first;
//  - removing / inserting a pixel acts on all its channels at once;
//  - the score of an image is the softmax probability p_c = softmax(z)_c of
//    the explained class c (not the logit: it is bounded in [0, 1], so AUCs
//    and relative drops are comparable across images), computed in batches
//    with gcam::predict (class_probabilities).
// Definitions and the tests that pin each one: docs/metrics.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gcam/nn/model.hpp"

namespace gcam {

class ThreadPool;

// ---- scores ----------------------------------------------------------------------

// p_c(x) for a batch: images (N, C, H, W), one class per image → N probabilities.
using ScoreFunction = std::function<std::vector<double>(const Tensor& images, const std::vector<int>& classes)>;

// softmax(z)_c with z = predict(model, images) (train.hpp), run `batch` images
// per forward pass. Throws std::invalid_argument for a wrong class count.
std::vector<double> class_probabilities(Model& model, const Tensor& images, const std::vector<int>& classes,
                                        Kernels kernels = Kernels::Fast, ThreadPool* pool = nullptr, int batch = 256);
// The same bound to a model, as a ScoreFunction (the model must outlive it).
ScoreFunction probability_scorer(Model& model, Kernels kernels = Kernels::Fast, ThreadPool* pool = nullptr,
                                 int batch = 256);

// The logit z_c = predict(model, images)_c of each image's class, in batches
// like class_probabilities (for completeness_gap, axiomatic.hpp, whose
// Σ m = f(x) − f(x') is stated for logits).
std::vector<double> class_logits(Model& model, const Tensor& images, const std::vector<int>& classes,
                                 Kernels kernels = Kernels::Fast, ThreadPool* pool = nullptr, int batch = 256);
// The same bound to a model, as a ScoreFunction (the model must outlive it).
ScoreFunction logit_scorer(Model& model, Kernels kernels = Kernels::Fast, ThreadPool* pool = nullptr, int batch = 256);

// A metric that gives one value per image, and their mean.
struct ImageScores {
  std::vector<double> per_image;
  double mean = 0;
};

// ---- with a ground-truth mask (pointing game: metrics.hpp) ------------------------

// Energy inside the mask of a signed map, on its positive part m⁺ = max(m, 0):
//   E = Σ_{p∈mask} m⁺_p / Σ_p m⁺_p        (0 when m⁺ is all zero)
// Equals energy_inside() for a non-negative map. Negative evidence is ignored
// rather than allowed to cancel positive evidence.
double positive_energy_inside(const Tensor& map, const std::uint8_t* mask);

// IoU of the thresholded map with the mask:
//   B = { p : m_p ≥ fraction · max_q m_q },   IoU = |B ∩ mask| / |B ∪ mask|
// B is empty when max m ≤ 0 (nothing positive to threshold); IoU is then 0
// (or 1 if the mask is empty too). Default fraction 0.5.
double threshold_iou(const Tensor& map, const std::uint8_t* mask, double fraction = 0.5);

// ---- ranking ------------------------------------------------------------------------

// Pixel indices (row-major in H·W) by decreasing map value, ties in index order.
std::vector<int> relevance_order(const Tensor& map);

// Ranks 1..n with ties given the average of the ranks they span
// ({10, 20, 20, 30} → {1, 2.5, 2.5, 4}).
std::vector<double> average_ranks(const std::vector<double>& values);

// Spearman rank correlation: the Pearson correlation of average_ranks(a) and
// average_ranks(b):  ρ = Σ (r_i − r̄)(s_i − s̄) / sqrt(Σ (r_i − r̄)² Σ (s_i − s̄)²).
// When either side is constant (zero variance, e.g. an all-zero map) ρ is
// undefined; we return 0 (no evidence of agreement). Sizes must match.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

// Pearson correlation ρ = Σ (a_i − ā)(b_i − b̄) / sqrt(Σ (a_i − ā)² Σ (b_i − b̄)²).
// 0 when either side is constant (as spearman). Sizes must match.
double pearson(const std::vector<double>& a, const std::vector<double>& b);

// ---- deletion / insertion (RISE, Petsiuk et al. 2018) ----------------------------------

// A perturbation curve: for fractions f_t = t / steps (t = 0..steps) of the
// pixels perturbed, the score of each image.
struct PerturbationCurve {
  std::vector<double> fractions;            // steps + 1 values, 0 .. 1
  std::vector<std::vector<double>> scores;  // [image][t]
  std::vector<double> mean;                 // mean over images, per t
  std::vector<double> auc;                  // per image
  double mean_auc = 0;                      // mean over images
};

// Trapezoid rule over evenly spaced fractions 0..1:
//   AUC = Σ_{t=1..T} (y_{t−1} + y_t) / 2 · (1 / T),   T = y.size() − 1.
// 0 for fewer than two points.
double trapezoid_auc(const std::vector<double>& y);

// Gaussian blur per channel (separable, kernel `size` × `size`, standard
// deviation `sigma`, weights normalized to sum 1, borders clamped). Insertion's
// starting image uses RISE's kernel 11, σ = 5.
Tensor gaussian_blur(const Tensor& images, int size = 11, double sigma = 5);

// Deletion: x_t = x with the first round(f_t·H·W) pixels of relevance_order(map)
// set to 0. Curve of p_c(x_t); lower AUC = more faithful. All (steps + 1)·N
// images go through `score` in batches.
PerturbationCurve deletion_curve(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                 const std::vector<int>& classes, int steps = 32);

// Insertion: x_t = blur(x) with the first round(f_t·H·W) pixels of
// relevance_order(map) set to their original values. Higher AUC = better.
PerturbationCurve insertion_curve(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                  const std::vector<int>& classes, int steps = 32);

// ---- Average Drop / Increase in Confidence (Grad-CAM++, Chattopadhay et al. 2018) --

struct ConfidenceChange {
  std::vector<double> original;  // Y_i = p_c(x_i)
  std::vector<double> masked;    // O_i = p_c(x_i ⊙ M_i)
  double average_drop = 0;       // (100/N) Σ_i max(0, Y_i − O_i) / Y_i      (%; lower is better)
  double increase = 0;           // (1/N) Σ_i 1[O_i > Y_i]   (a fraction in [0, 1]; higher is better)
};

// The map normalized for masking: M = max(m, 0) / max_p m_p, in [0, 1]
// (all zero when max m ≤ 0). Dividing by the maximum — not min-max — keeps an
// all-ones map all ones. (N, 1, H, W) → same shape.
Tensor mask_from_map(const Tensor& maps);

// Scores each image on x ⊙ mask_from_map(m), broadcast over channels.
ConfidenceChange confidence_change(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                   const std::vector<int>& classes);

// ---- ROAD (Rong et al. 2022): remove and debias -------------------------------------

// Noisy linear imputation of one image (C, H, W): every removed pixel (removed[p]
// non-zero, H·W bytes) takes the weighted mean of its 8 neighbours,
//   x_p = Σ_q w_pq x_q / Σ_q w_pq,   w = 1/6 for the 4 edge neighbours, 1/12 for
// the 4 diagonal ones (the weights of the present neighbours are renormalized at
// the image border), where neighbours may themselves be removed: one sparse linear
// system for all removed pixels, per channel. Solved by successive over-relaxation
// (Gauss–Seidel with ω = 1.8), starting from the mean of the kept pixels, for at
// most `iterations` sweeps or until no value moves by more than 1e-6. Then
// N(0, noise_sigma²) noise from `rng` is added to the removed pixels only.
// Kept pixels are unchanged. If every pixel is removed, they all get 0 + noise.
Tensor noisy_linear_imputation(const Tensor& image, const std::vector<std::uint8_t>& removed, double noise_sigma,
                               Rng& rng, int iterations = 300);

struct RoadResult {
  std::vector<double> percentages;  // share of pixels removed, in %
  std::vector<double> morf;         // mean p_c after removing the most relevant first (lower = better)
  std::vector<double> lerf;         // mean p_c after removing the least relevant first (higher = better)
  double morf_mean = 0, lerf_mean = 0;
  double combined = 0;  // (mean LeRF − mean MoRF) / 2, as pytorch-grad-cam's ROADCombined (higher = better)
};

// ROAD at each percentage q: remove the top q% of relevance_order(map) (MoRF)
// or the bottom q% (LeRF), fill them by noisy_linear_imputation (noise σ =
// noise_sigma, Rng(seed) shared by the run, so results are reproducible), and
// score. Default percentages 10, 30, 50, 70, 90.
RoadResult road(const ScoreFunction& score, const Tensor& images, const Tensor& maps, const std::vector<int>& classes,
                const std::vector<double>& percentages = {10, 30, 50, 70, 90}, double noise_sigma = 0.01,
                std::uint64_t seed = 7);

// ---- sanity check (Adebayo et al. 2018): cascading randomization ------------------------

// An explanation method as a callable: (model, images, classes) → (N, 1, H, W).
using ExplainFunction = std::function<Tensor(Model& model, const Tensor& images, const std::vector<int>& classes)>;

struct RandomizationStage {
  std::string layer;             // "" for the original model; else the lowest layer re-initialized so far
  double mean_spearman = 0;      // mean over images of ρ(map_stage, map_original)
  std::vector<double> spearman;  // per image
};

// Cascading randomization: stage 0 is the trained model; stage k re-initializes
// the parameters of the last k layers that have parameters (top down: fc first,
// then conv4, ...) with the layers' own initializers (Conv2d/Dense::initialize,
// Rng(seed + k)), and computes ρ = spearman(map_k, map_0) per image. The model
// is not copyable (it owns its layers), so its parameter tensors are saved
// first and restored before returning, also when `explain` throws.
// `classes` stay fixed at every stage.
std::vector<RandomizationStage> cascading_randomization(Model& model, const ExplainFunction& explain,
                                                        const Tensor& images, const std::vector<int>& classes,
                                                        std::uint64_t seed = 11);

// ---- baselines -----------------------------------------------------------------------

// Uniform noise in [0, 1) per pixel from Rng(seed): what a method with no
// information scores. (N, C, H, W) → (N, 1, H, W).
Tensor random_map(const Tensor& images, std::uint64_t seed = 5);

// Edge detector: the Sobel gradient magnitude sqrt(G_x² + G_y²), summed over
// channels, borders clamped, with
//   G_x = [−1 0 1; −2 0 2; −1 0 1] ∗ x,   G_y = G_xᵀ.
// (N, C, H, W) → (N, 1, H, W).
Tensor sobel_map(const Tensor& images);

}  // namespace gcam
