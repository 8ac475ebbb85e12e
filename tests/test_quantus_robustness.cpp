// The Quantus metrics that re-run the method (robustness.hpp,
// randomisation.hpp, input invariance in axiomatic.hpp): toy "methods" with
// known behaviour, and saliency against gradient × input.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/evaluate/axiomatic.hpp"
#include "gcam/evaluate/randomisation.hpp"
#include "gcam/evaluate/robustness.hpp"
#include "gcam/methods/attribution.hpp"
#include "helpers.hpp"

using namespace gcam;
using gcam_test::random_tensor;

namespace {

// Flatten, dense 16 → 8, ReLU, dense 8 → 3 on 1×4×4 images (or a 3×3 unpadded
// convolution first, when `conv`), He-initialized from a fixed seed.
Model small_model(bool conv = false) {
  Model model(conv ? "small-conv" : "small-dense", {1, 4, 4}, 3);
  Rng rng(31);
  int features = 16;
  if (conv) {
    auto c = std::make_unique<Conv2d>("conv1", 1, 2, 3, 1, 0);
    c->initialize(rng);
    for (std::size_t e = 0; e < c->bias.value.size(); ++e) c->bias.value[e] = Scalar(0.1 * double(e + 1));
    model.add(std::move(c));
    features = 2 * 2 * 2;
  }
  model.add(std::make_unique<Flatten>("flatten"));
  auto fc1 = std::make_unique<Dense>("fc1", features, 8);
  fc1->initialize(rng);
  model.add(std::move(fc1));
  model.add(std::make_unique<ReLU>("relu1"));
  auto fc2 = std::make_unique<Dense>("fc2", 8, 3);
  fc2->initialize(rng);
  model.add(std::move(fc2));
  return model;
}

ExplainFunction scaled_input(double a) {
  return [a](Model&, const Tensor& images, const std::vector<int>&) {
    Tensor maps = images;
    for (std::size_t e = 0; e < maps.size(); ++e) maps[e] = Scalar(a * double(maps[e]));
    return maps;
  };
}

}  // namespace

TEST_CASE("relative change and the Lipschitz ratio by hand", "[quantus]") {
  const Tensor a({2}, std::vector<Scalar>{3, 4}), b({2}, std::vector<Scalar>{3, 9});
  CHECK(relative_change(a, b) == Approx(1));  // ‖(0, 5)‖ / ‖(3, 4)‖
  CHECK(relative_change(Tensor({2}, 0), Tensor({2}, 0)) == 0);
  CHECK(relative_change(Tensor({2}, 0), a) == std::numeric_limits<double>::infinity());
  // Maps move by ‖(0, 5)‖ = 5 while the images move by ‖(1, 1)‖ = √2.
  CHECK(lipschitz_ratio(a, b, Tensor({2}, 0), Tensor({2}, 1)) == Approx(5 / std::sqrt(2.0)));
  CHECK(lipschitz_ratio(a, b, Tensor({2}, 1), Tensor({2}, 1)) == 0);
  CHECK_THROWS_AS(relative_change(a, Tensor({3}, 0)), ShapeError);
}

TEST_CASE("robustness: a fixed map scores 0, Φ(x) = 2x has Lipschitz 2 and sensitivity ‖δ‖/‖x‖", "[quantus]") {
  Model model = small_model();
  const int side = 32, n = side * side;
  const Tensor x = random_tensor({2, 1, side, side}, 9, 0.2, 1);
  const ExplainFunction fixed = [](Model&, const Tensor& images, const std::vector<int>&) {
    return Tensor({images.dim(0), 1, images.dim(2), images.dim(3)}, 0.5);
  };
  const RobustnessResult still = robustness(model, fixed, x, {0, 1});
  CHECK(still.max_sensitivity.mean == 0);
  CHECK(still.avg_sensitivity.mean == 0);
  CHECK(still.local_lipschitz.mean == 0);
  const double r = 0.02;
  const RobustnessResult twice = robustness(model, scaled_input(2), x, {0, 1}, r, 4);
  // ‖2(x + δ) − 2x‖ / ‖δ‖ = 2 for every δ.
  CHECK(twice.local_lipschitz.per_image[0] == Approx(2));
  CHECK(twice.local_lipschitz.per_image[1] == Approx(2));
  // ‖2δ‖ / ‖2x‖ = ‖δ‖ / ‖x‖ with δ uniform in [−r, r]^n: ‖δ‖ ≤ r√n always and
  // ‖δ‖ ≈ r √(n/3) (E δ² = r²/3; for n = 1024 the spread of ‖δ‖ is about 1.4 %).
  for (int i = 0; i < 2; ++i) {
    double xx = 0;
    for (int p = 0; p < n; ++p) xx += double(x[std::size_t(i * n + p)]) * double(x[std::size_t(i * n + p)]);
    const double norm_x = std::sqrt(xx);
    CHECK(twice.avg_sensitivity.per_image[std::size_t(i)] == Approx(r * std::sqrt(n / 3.0) / norm_x).epsilon(0.05));
    CHECK(twice.max_sensitivity.per_image[std::size_t(i)] >= twice.avg_sensitivity.per_image[std::size_t(i)]);
    CHECK(twice.max_sensitivity.per_image[std::size_t(i)] <= r * std::sqrt(double(n)) / norm_x);
  }
  // The scale cancels: Φ(x) = x has the same sensitivities, with the same draws.
  const RobustnessResult once = robustness(model, scaled_input(1), x, {0, 1}, r, 4);
  CHECK(once.max_sensitivity.mean == Approx(twice.max_sensitivity.mean));
  CHECK(once.local_lipschitz.mean == Approx(1));
}

TEST_CASE("random logit: 1 for a class-independent map, −1 for one that flips with the class", "[quantus]") {
  Model model = small_model();
  const Tensor x = random_tensor({3, 1, 4, 4}, 10);
  CHECK(random_logit(model, scaled_input(1), x, {0, 1, 2}).mean == Approx(1));
  // Φ(x, c) = x for class 0, −x for the others: against class 0 the other class flips the ranking.
  const ExplainFunction flips = [](Model&, const Tensor& images, const std::vector<int>& classes) {
    Tensor maps = images;
    for (int n = 0; n < images.dim(0); ++n)
      if (classes[std::size_t(n)] != 0)
        for (std::size_t p = 0; p < 16; ++p) maps[std::size_t(n) * 16 + p] = -maps[std::size_t(n) * 16 + p];
    return maps;
  };
  CHECK(random_logit(model, flips, x, {0, 0, 0}).mean == Approx(-1));
}

TEST_CASE("input invariance: saliency is invariant, gradient × input is not", "[quantus]") {
  const Tensor x = random_tensor({2, 1, 4, 4}, 11, 0, 1);
  const double m = -1;
  const ExplainFunction saliency = [](Model& model, const Tensor& images, const std::vector<int>& classes) {
    return saliency_map(model, images, classes, MethodOptions{});
  };
  const ExplainFunction grad_x_input = [](Model& model, const Tensor& images, const std::vector<int>& classes) {
    const Tensor g = input_gradients(model, images, classes);
    Tensor maps(images.shape());
    for (std::size_t e = 0; e < maps.size(); ++e) maps[e] = images[e] * g[e];
    return maps;
  };
  for (bool conv : {false, true}) {
    INFO((conv ? "unpadded convolution first" : "dense first"));
    Model model = small_model(conv);
    const Tensor before = model.parameters()[1]->value;  // the first layer's bias
    const InputInvariance inv = input_invariance(model, saliency, x, {0, 2}, m);
    CHECK(inv.logit_change == Approx(0).margin(1e-12));  // the compensated model computes the same function
    CHECK(inv.change.mean == Approx(0).margin(1e-12));
    CHECK(max_abs_difference(model.parameters()[1]->value, before) == 0);  // bias restored
    // x ⊙ g becomes (x + m) ⊙ g (same g): the change is |m| ‖g‖ / ‖x ⊙ g‖.
    const Tensor g = input_gradients(model, x, {0, 2});
    const InputInvariance gxi = input_invariance(model, grad_x_input, x, {0, 2}, m);
    for (int n = 0; n < 2; ++n) {
      double gg = 0, xg = 0;
      for (int p = 0; p < 16; ++p) {
        const double gp = g[std::size_t(n * 16 + p)], xp = x[std::size_t(n * 16 + p)];
        gg += gp * gp, xg += xp * gp * xp * gp;
      }
      CHECK(gxi.change.per_image[std::size_t(n)] == Approx(std::fabs(m) * std::sqrt(gg / xg)));
    }
  }
}

TEST_CASE("input invariance refuses other first layers and restores the model when the method throws", "[quantus]") {
  Model relu_first("relu-first", {1, 4, 4}, 2);
  relu_first.add(std::make_unique<ReLU>("relu"));
  relu_first.add(std::make_unique<Flatten>("flatten"));
  relu_first.add(std::make_unique<Dense>("fc", 16, 2));
  const Tensor x({1, 1, 4, 4}, 0.5);
  CHECK_THROWS_AS(input_invariance(relu_first, scaled_input(1), x, {0}), std::invalid_argument);
  Model model = small_model();
  const Tensor bias = model.parameters()[1]->value;
  int calls = 0;
  const ExplainFunction second_call_throws = [&](Model& m, const Tensor& images, const std::vector<int>&) {
    if (++calls == 2) throw std::runtime_error("method failed");
    (void)m;
    return Tensor({images.dim(0), 1, 4, 4}, 1);
  };
  CHECK_THROWS_AS(input_invariance(model, second_call_throws, x, {0}), std::runtime_error);
  CHECK(max_abs_difference(model.parameters()[1]->value, bias) == 0);
}
