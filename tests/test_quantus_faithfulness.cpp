// The Quantus faithfulness and axiomatic metrics that ask a scorer
// (model_faithfulness.hpp, completeness in axiomatic.hpp): on linear
// "models" f(x) = b + Σ w·x, written as ScoreFunctions, whose answers are exact.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/evaluate/axiomatic.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/evaluate/model_faithfulness.hpp"
#include "helpers.hpp"

using namespace gcam;
using gcam_test::random_tensor;

namespace {

// f(x) = offset + Σ_p w_p x_p for single-channel images of w's shape (1, 1, H, W).
ScoreFunction linear_scorer(const Tensor& w, double offset = 0) {
  return [w, offset](const Tensor& images, const std::vector<int>&) {
    std::vector<double> out;
    for (int n = 0; n < images.dim(0); ++n) {
      double f = offset;
      for (std::size_t p = 0; p < w.size(); ++p) f += double(w[p]) * double(images[std::size_t(n) * w.size() + p]);
      out.push_back(f);
    }
    return out;
  };
}

Tensor times(const Tensor& a, const Tensor& b, double scale = 1) {
  Tensor out(a.shape());
  for (std::size_t e = 0; e < a.size(); ++e) out[e] = Scalar(scale * double(a[e]) * double(b[e]));
  return out;
}

}  // namespace

TEST_CASE("Pearson correlation by hand", "[quantus]") {
  // a − ā = −1, 0, 1; b − b̄ = −7/3, −1/3, 8/3: Σ = 5, Σa² = 2, Σb² = 114/9.
  CHECK(pearson({1, 2, 3}, {2, 4, 7}) == Approx(5 / std::sqrt(2 * 114.0 / 9)));
  CHECK(pearson({1, 2, 3}, {-2, -4, -6}) == Approx(-1));
  CHECK(pearson({1, 1, 1}, {1, 2, 3}) == 0);
  CHECK_THROWS_AS(pearson({1}, {1, 2}), std::invalid_argument);
}

TEST_CASE("faithfulness correlation: 1 for w ⊙ x of a linear scorer", "[quantus]") {
  const Tensor w = random_tensor({1, 1, 6, 6}, 3), x = random_tensor({2, 1, 6, 6}, 4, 0, 1);
  Tensor wx({2, 1, 6, 6});
  for (int n = 0; n < 2; ++n)
    for (std::size_t p = 0; p < 36; ++p) wx[std::size_t(n) * 36 + p] = Scalar(double(w[p]) * double(x[n * 36 + p]));
  const ScoreFunction f = linear_scorer(w, 0.5);
  // f(x) − f(x_S) = Σ_{p∈S} w_p x_p = Σ_{p∈S} m_p for every subset S.
  const ImageScores exact = faithfulness_correlation(f, x, wx, {0, 0}, 5, 20);
  REQUIRE(exact.per_image.size() == 2);
  CHECK(exact.per_image[0] == Approx(1));
  CHECK(exact.mean == Approx(1));
  Tensor negated = wx;
  for (std::size_t e = 0; e < negated.size(); ++e) negated[e] = -negated[e];
  CHECK(faithfulness_correlation(f, x, negated, {0, 0}, 5, 20).mean == Approx(-1));
  // A constant map sums to the same value on every subset: no variance, ρ = 0.
  CHECK(faithfulness_correlation(f, x, Tensor({2, 1, 6, 6}, 1), {0, 0}, 5, 20).mean == 0);
  CHECK_THROWS_AS(faithfulness_correlation(f, x, wx, {0, 0}, 37, 20), std::invalid_argument);
  CHECK_THROWS_AS(faithfulness_correlation(f, x, Tensor({2, 1, 5, 6}), {0, 0}), ShapeError);
}

TEST_CASE("infidelity: 0 for the gradient of a linear scorer", "[quantus]") {
  const Tensor w = random_tensor({1, 1, 8, 8}, 5), x = random_tensor({1, 1, 8, 8}, 6, 0, 1);
  const ScoreFunction f = linear_scorer(w, 1);
  // f(x) − f(x − I) = Iᵀw: with m = w every term is 0.
  CHECK(infidelity(f, x, w, {0}).mean == Approx(0).margin(1e-20));
  // m = 2w leaves (2Iᵀw − Iᵀw)² = (Iᵀw)², the same as m = 0: (0 − Iᵀw)². Same seed, same I.
  const double doubled = infidelity(f, x, times(w, Tensor(w.shape(), 1), 2), {0}, 0.1, 4000).mean;
  const double zero = infidelity(f, x, Tensor(w.shape(), 0), {0}, 0.1, 4000).mean;
  CHECK(doubled == Approx(zero).epsilon(1e-9));
  // Its expectation is E[(Iᵀw)²] = σ² ‖w‖²; 4000 draws: relative error ~ sqrt(2/4000) = 2 %.
  double w2 = 0;
  for (std::size_t p = 0; p < w.size(); ++p) w2 += double(w[p]) * double(w[p]);
  CHECK(zero == Approx(0.01 * w2).epsilon(0.1));
}

TEST_CASE("IROF on a 4×4 image with 2×2 patches, by hand", "[quantus]") {
  // f = 1 + Σ of the top-left patch; the image is 1 on that patch, 0 elsewhere:
  // f(x) = 5, the image's mean is 4/16 = 0.25, so removing the top-left patch gives f = 1 + 4·0.25 = 2.
  Tensor w({1, 1, 4, 4}, 0), x({1, 1, 4, 4}, 0);
  for (int y = 0; y < 2; ++y)
    for (int c = 0; c < 2; ++c) w.at(0, 0, y, c) = 1, x.at(0, 0, y, c) = 1;
  const ScoreFunction f = linear_scorer(w, 1);
  // The top-left patch first: y = 1, 0.4, 0.4, 0.4, 0.4; AUC = 0.25 · (0.7 + 3 · 0.4) = 0.475.
  CHECK(irof(f, x, x, {0}, 2).mean == Approx(1 - 0.475));
  // It last: y = 1, 1, 1, 1, 0.4; AUC = 0.25 · (3 + 0.7) = 0.925.
  Tensor last({1, 1, 4, 4}, 1);
  for (int y = 0; y < 2; ++y)
    for (int c = 0; c < 2; ++c) last.at(0, 0, y, c) = 0;
  CHECK(irof(f, x, last, {0}, 2).mean == Approx(1 - 0.925));
  CHECK_THROWS_AS(irof(f, x, x, {0}, 0), std::invalid_argument);
}

TEST_CASE("completeness gap: 0 for w ⊙ x of a linear logit, relative otherwise", "[quantus]") {
  const Tensor w = random_tensor({1, 1, 5, 5}, 7), x = random_tensor({1, 1, 5, 5}, 8, 0, 1);
  const ScoreFunction f = linear_scorer(w, 0.3);  // f(x) − f(0) = Σ w x: the offset cancels
  CHECK(completeness_gap(f, x, times(w, x), {0}).mean == Approx(0).margin(1e-12));
  CHECK(completeness_gap(f, x, times(w, x, 3), {0}).mean == Approx(2));  // |3Δ − Δ| / |Δ|
  // Δ = 0 (the image is the baseline): the gap is |Σ m|.
  CHECK(completeness_gap(f, Tensor({1, 1, 5, 5}, 0), Tensor({1, 1, 5, 5}, 0.1), {0}).mean == Approx(2.5));
}

TEST_CASE("monotonicity correlation: 1 for w * x of a linear scorer, -1 for a map ranking the squares backwards",
          "[quantus]") {
  // f(x) = Σ w·x: removing square k changes f by δ_k = Σ_{p∈k} w_p x_p, and
  // the map w ⊙ x sums to exactly that over the square.
  const Tensor w = random_tensor({1, 1, 8, 8}, 31), x = random_tensor({1, 1, 8, 8}, 32, 0, 1);
  const Tensor wx = times(w, x);
  const ScoreFunction f = linear_scorer(w, 0.3);
  CHECK(monotonicity_correlation(f, x, wx, {0}, 4).mean == Approx(1));
  // A map constant on each 4×4 square with Σ = 1/|δ_k|: the same squares,
  // ranked backwards.
  Tensor backwards({1, 1, 8, 8});
  for (int k = 0; k < 4; ++k) {
    const int top = (k / 2) * 4, left = (k % 2) * 4;
    double delta = 0;
    for (int i = top; i < top + 4; ++i)
      for (int j = left; j < left + 4; ++j) delta += wx.at(0, 0, i, j);
    for (int i = top; i < top + 4; ++i)
      for (int j = left; j < left + 4; ++j) backwards.at(0, 0, i, j) = Scalar(1 / std::abs(delta) / 16);
  }
  CHECK(monotonicity_correlation(f, x, backwards, {0}, 4).mean == Approx(-1));
  CHECK_THROWS_AS(monotonicity_correlation(f, x, wx, {0}, 0), std::invalid_argument);
}
