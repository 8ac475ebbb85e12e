// Faithfulness metrics and baselines (faithfulness.hpp) on tiny hand-made
// cases whose answers are known exactly.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/evaluate/mask_metrics.hpp"
#include "gcam/gradcam/gradcam.hpp"

using namespace gcam;

namespace {

constexpr int kSide = 4, kPixels = kSide * kSide;

// The object: a 2×2 block at rows 1..2, columns 1..2 of a 4×4 image.
std::vector<std::uint8_t> block_mask() {
  std::vector<std::uint8_t> m(kPixels, 0);
  for (int y = 1; y <= 2; ++y)
    for (int x = 1; x <= 2; ++x) m[std::size_t(y * kSide + x)] = 1;
  return m;
}

Tensor map_of(const std::vector<std::uint8_t>& mask, bool reversed = false) {
  Tensor m({1, 1, kSide, kSide});
  for (int p = 0; p < kPixels; ++p) m[std::size_t(p)] = Scalar((mask[std::size_t(p)] != 0) != reversed ? 1 : 0);
  return m;
}

// A linear model whose class-0 logit is 3·Σ_{p∈mask} x_p and class-1 logit 0:
// p_0 = sigmoid(3·Σ_mask x) depends only on the object's pixels.
Model mask_model() {
  Model model("mask-linear", {1, kSide, kSide}, 2);
  model.add(std::make_unique<Flatten>("flatten"));
  auto fc = std::make_unique<Dense>("fc", kPixels, 2);
  const auto mask = block_mask();
  for (int p = 0; p < kPixels; ++p) {
    fc->weight.value.at(0, p) = Scalar(mask[std::size_t(p)] ? 3 : 0);
    fc->weight.value.at(1, p) = 0;
  }
  fc->bias.value.fill(0);
  model.add(std::move(fc));
  return model;
}

Tensor ones_image() { return Tensor({1, 1, kSide, kSide}, 1); }

}  // namespace

TEST_CASE("a map equal to the mask: IoU 1, pointing hit, energy 1", "[faithfulness]") {
  const auto mask = block_mask();
  const Tensor map = image_map(map_of(mask), 0);
  CHECK(threshold_iou(map, mask.data()) == Approx(1));
  CHECK(pointing_game_hit(map, mask.data()));
  CHECK(positive_energy_inside(map, mask.data()) == Approx(1));
  CHECK(energy_inside(map, mask.data()) == Approx(1));
  const Tensor reversed = image_map(map_of(mask, true), 0);
  CHECK(threshold_iou(reversed, mask.data()) == Approx(0));
  CHECK_FALSE(pointing_game_hit(reversed, mask.data()));
  CHECK(positive_energy_inside(reversed, mask.data()) == Approx(0));
}

TEST_CASE("energy ignores the negative part; IoU follows the threshold", "[faithfulness]") {
  const auto mask = block_mask();
  Tensor map({kSide, kSide}, -5);  // strong negative evidence everywhere ...
  map.at(1, 1) = 2;                // ... and positive evidence on two object pixels
  map.at(2, 2) = 1;
  map.at(0, 0) = 1;  // and one background pixel
  CHECK(positive_energy_inside(map, mask.data()) == Approx(3.0 / 4));
  // Threshold 0.5·2 = 1: B = {(1,1), (2,2), (0,0)}; |B ∩ mask| = 2, |B ∪ mask| = 5.
  CHECK(threshold_iou(map, mask.data(), 0.5) == Approx(2.0 / 5));
  // Threshold 0.9·2 = 1.8: B = {(1,1)}: IoU 1/4.
  CHECK(threshold_iou(map, mask.data(), 0.9) == Approx(1.0 / 4));
  // Nothing positive: B is empty.
  CHECK(threshold_iou(Tensor({kSide, kSide}, -1), mask.data()) == 0);
  CHECK(positive_energy_inside(Tensor({kSide, kSide}, -1), mask.data()) == 0);
}

TEST_CASE("average ranks and Spearman's rho, with ties", "[faithfulness]") {
  CHECK(average_ranks({10, 20, 20, 30}) == std::vector<double>{1, 2.5, 2.5, 4});
  CHECK(average_ranks({3, 3, 3}) == std::vector<double>{2, 2, 2});
  const std::vector<double> a{0.3, 1.5, -2, 7, 4};
  std::vector<double> reversed;
  for (double v : a) reversed.push_back(-v);
  CHECK(spearman(a, a) == Approx(1));
  CHECK(spearman(a, reversed) == Approx(-1));
  // Ranks {1, 2.5, 2.5, 4} against {1, 2, 3, 4}: 4.5 / sqrt(4.5 · 5).
  CHECK(spearman({1, 2, 2, 3}, {1, 2, 3, 4}) == Approx(4.5 / std::sqrt(22.5)));
  CHECK(spearman({1, 1, 1}, {1, 2, 3}) == 0);  // a constant side: defined as 0
  CHECK_THROWS_AS(spearman({1, 2}, {1, 2, 3}), std::invalid_argument);
}

TEST_CASE("relevance order: descending, ties in index order", "[faithfulness]") {
  const Tensor map({1, 4}, std::vector<Scalar>{1, 3, 1, 2});
  CHECK(relevance_order(map) == std::vector<int>{1, 3, 0, 2});
}

TEST_CASE("trapezoid AUC over fractions 0..1", "[faithfulness]") {
  CHECK(trapezoid_auc({1, 0}) == Approx(0.5));
  CHECK(trapezoid_auc({1, 1, 1}) == Approx(1));
  CHECK(trapezoid_auc({0, 1, 0, 1, 0}) == Approx(0.5));
  CHECK(trapezoid_auc({0.7}) == 0);
}

TEST_CASE("class probabilities are the softmax of the model's logits", "[faithfulness]") {
  Model model = mask_model();
  const auto p = class_probabilities(model, ones_image(), {0}, Kernels::Reference);
  CHECK(p[0] == Approx(1 / (1 + std::exp(-12.0))).epsilon(1e-5));  // 3 · 4 object pixels
  CHECK_THROWS_AS(class_probabilities(model, ones_image(), {0, 1}), std::invalid_argument);
}

TEST_CASE("deletion and insertion rank the perfect map above the reversed one", "[faithfulness]") {
  Model model = mask_model();
  const ScoreFunction score = probability_scorer(model, Kernels::Reference);
  const auto mask = block_mask();
  const Tensor image = ones_image();
  const PerturbationCurve good = deletion_curve(score, image, map_of(mask), {0}, 16);
  const PerturbationCurve bad = deletion_curve(score, image, map_of(mask, true), {0}, 16);
  REQUIRE(good.fractions.size() == 17);
  CHECK(good.scores[0].front() == Approx(bad.scores[0].front()));
  CHECK(good.scores[0].back() == Approx(0.5));  // everything deleted: logits 0, 0
  CHECK(good.mean_auc < bad.mean_auc);
  // Perfect map: the 4 object pixels go in the first 4 of 16 steps; after that
  // the score stays at 0.5. Reversed: it stays at sigmoid(12) for 12 steps.
  CHECK(good.scores[0][4] == Approx(0.5));
  CHECK(bad.scores[0][12] == Approx(good.scores[0][0]));
  // Insertion starts from the blurred image: the object (1 on 0) blurred has
  // less mass on the object's pixels, so inserting them first helps at once.
  const Tensor object = map_of(mask);
  const PerturbationCurve in_good = insertion_curve(score, object, map_of(mask), {0}, 16);
  const PerturbationCurve in_bad = insertion_curve(score, object, map_of(mask, true), {0}, 16);
  CHECK(in_good.mean_auc > in_bad.mean_auc);
  CHECK(in_good.scores[0][4] == Approx(1 / (1 + std::exp(-12.0))));    // the 4 object pixels are back
  CHECK(in_good.scores[0].back() == Approx(in_bad.scores[0].back()));  // all inserted: the original image
}

TEST_CASE("Gaussian blur keeps a constant image", "[faithfulness]") {
  const Tensor blurred = gaussian_blur(Tensor({2, 3, 5, 6}, 0.25));
  for (std::size_t e = 0; e < blurred.size(); ++e) CHECK(double(blurred[e]) == Approx(0.25));
}

TEST_CASE("Average Drop and Increase in Confidence", "[faithfulness]") {
  Model model = mask_model();
  const ScoreFunction score = probability_scorer(model, Kernels::Reference);
  const auto mask = block_mask();
  const ConfidenceChange ones = confidence_change(score, ones_image(), Tensor({1, 1, kSide, kSide}, 1), {0});
  CHECK(ones.average_drop == Approx(0));  // x ⊙ 1 = x
  CHECK(ones.increase == 0);
  const ConfidenceChange perfect = confidence_change(score, ones_image(), map_of(mask), {0});
  CHECK(perfect.average_drop == Approx(0));  // keeps every pixel the score uses
  const ConfidenceChange reversed = confidence_change(score, ones_image(), map_of(mask, true), {0});
  const double y = 1 / (1 + std::exp(-12.0));
  CHECK(reversed.average_drop == Approx(100 * (y - 0.5) / y).epsilon(1e-4));
  // mask_from_map divides the positive part by the maximum.
  const Tensor m = mask_from_map(Tensor({1, 1, 1, 3}, std::vector<Scalar>{-1, 2, 4}));
  CHECK(m[0] == 0);
  CHECK(double(m[1]) == Approx(0.5));
  CHECK(double(m[2]) == Approx(1));
}

TEST_CASE("noisy linear imputation of a constant image gives the constant", "[faithfulness]") {
  const int H = 6, W = 7;
  Tensor image({2, H, W}, 0.7);
  std::vector<std::uint8_t> removed(std::size_t(H * W), 0);
  removed[0] = 1;                       // a corner
  removed[std::size_t(3 * W + 6)] = 1;  // a border pixel
  for (int y = 1; y <= 3; ++y)          // a 3×3 hole
    for (int x = 2; x <= 4; ++x) removed[std::size_t(y * W + x)] = 1;
  Rng rng(1);
  const Tensor filled = noisy_linear_imputation(image, removed, 0, rng);
  for (std::size_t e = 0; e < filled.size(); ++e) CHECK(double(filled[e]) == Approx(0.7).margin(1e-5));

  // A linear ramp is harmonic for the symmetric 8-neighbour stencil: an inner
  // hole is filled with the ramp itself.
  Tensor ramp({1, H, W});
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) ramp[std::size_t(y * W + x)] = Scalar(0.1 * x + 0.05 * y);
  std::vector<std::uint8_t> inner(std::size_t(H * W), 0);
  for (int y = 2; y <= 3; ++y)
    for (int x = 2; x <= 4; ++x) inner[std::size_t(y * W + x)] = 1;
  const Tensor ramp_filled = noisy_linear_imputation(ramp, inner, 0, rng);
  for (std::size_t e = 0; e < ramp.size(); ++e) CHECK(double(ramp_filled[e]) == Approx(double(ramp[e])).margin(1e-5));

  // Noise touches only the removed pixels.
  const Tensor noisy = noisy_linear_imputation(image, removed, 0.01, rng);
  for (std::size_t p = 0; p < removed.size(); ++p)
    if (!removed[p]) CHECK(noisy[p] == image[p]);
}

TEST_CASE("ROAD: the perfect map has a positive LeRF − MoRF gap, the reversed map a negative one", "[faithfulness]") {
  Model model = mask_model();
  const ScoreFunction score = probability_scorer(model, Kernels::Reference);
  const auto mask = block_mask();
  // A textured image so that imputation cannot restore the object exactly.
  Tensor image({1, 1, kSide, kSide}, 0);
  for (int p = 0; p < kPixels; ++p) image[std::size_t(p)] = Scalar(mask[std::size_t(p)] ? 1 : 0);
  const RoadResult good = road(score, image, map_of(mask), {0}, {25, 50}, 0);
  const RoadResult bad = road(score, image, map_of(mask, true), {0}, {25, 50}, 0);
  REQUIRE(good.morf.size() == 2);
  CHECK(good.combined > 0);
  CHECK(bad.combined < 0);
  CHECK(good.morf[0] < bad.morf[0]);
}

TEST_CASE("cascading randomization decorrelates weight-based maps and restores the model", "[faithfulness]") {
  Model model = mask_model();
  const Tensor before = model.parameters()[0]->value;
  // A "method" whose map is the class-0 weight row: it depends only on fc.
  const ExplainFunction weights_map = [](Model& m, const Tensor& images, const std::vector<int>&) {
    Tensor maps({images.dim(0), 1, kSide, kSide});
    for (int n = 0; n < images.dim(0); ++n)
      for (int p = 0; p < kPixels; ++p) maps[std::size_t(n * kPixels + p)] = m.parameters()[0]->value.at(0, p);
    return maps;
  };
  const auto stages = cascading_randomization(model, weights_map, ones_image(), {0});
  REQUIRE(stages.size() == 2);  // original, then fc re-initialized
  CHECK(stages[0].mean_spearman == Approx(1));
  CHECK(stages[1].layer == "fc");
  CHECK(stages[1].mean_spearman < 0.9);
  CHECK(max_abs_difference(model.parameters()[0]->value, before) == 0);  // restored
}

TEST_CASE("baselines: a reproducible random map and the Sobel edge map", "[faithfulness]") {
  const Tensor images({2, 3, 5, 5}, 0.5);
  const Tensor a = random_map(images, 9), b = random_map(images, 9);
  CHECK(a.shape() == Shape{2, 1, 5, 5});
  CHECK(max_abs_difference(a, b) == 0);
  for (std::size_t e = 0; e < a.size(); ++e) CHECK((a[e] >= 0 && a[e] < 1));
  const Tensor flat = sobel_map(images);
  for (std::size_t e = 0; e < flat.size(); ++e) CHECK(flat[e] == 0);
  // A vertical step 0 → 1 between columns 2 and 3 of a gray image: |G_x| = 4
  // on both sides of the step, 0 elsewhere.
  Tensor step({1, 1, 5, 6}, 0);
  for (int y = 0; y < 5; ++y)
    for (int x = 3; x < 6; ++x) step.at(0, 0, y, x) = 1;
  const Tensor edges = sobel_map(step);
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 6; ++x) CHECK(double(edges.at(0, 0, y, x)) == Approx(x == 2 || x == 3 ? 4 : 0));
}
