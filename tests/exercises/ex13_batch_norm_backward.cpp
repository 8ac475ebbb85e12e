// Exercise ex13 checks: norm_gradient_sums (B3) and batch_norm_input_gradient (B4),
// batch norm's backward in training mode.
// docs/exercises/ex13-batch-norm-backward.md
//
// The finite differences need the training-mode forward. It is built here from
// the header's public reference functions outside the exercise block
// (channel_sums, channel_squared_deviations, batch_norm_forward), so these
// checks depend on nothing but ex13.
#include <cmath>

#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/ops/batch_norm2d.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage =
    "docs/exercises/ex13-batch-norm-backward.md, eqs. (B3) (B4) in include/gcam/ops/batch_norm2d.hpp";

Tensor per_channel(const std::vector<double>& v) {
  Tensor t({static_cast<int>(v.size())});
  for (std::size_t c = 0; c < v.size(); ++c) t[c] = static_cast<Scalar>(v[c]);
  return t;
}

// The statistics of (B1), as the training-mode record computes them.
struct Statistics {
  std::vector<double> mean, inv_std;
  double count = 0;
};

Statistics batch_statistics(const Tensor& x) {
  Statistics s;
  s.count = double(x.size()) / x.dim(1);
  s.mean = channel_sums(x);
  for (double& m : s.mean) m /= s.count;
  s.inv_std = channel_squared_deviations(x, s.mean);
  for (double& v : s.inv_std) v = 1 / std::sqrt(v / s.count + kBatchNormEpsilon);
  return s;
}

// y = batch norm of x with the batch's own statistics, (B1)-(B2).
Tensor training_forward(const Tensor& x, const Tensor& gamma, const Tensor& beta) {
  const Statistics s = batch_statistics(x);
  Tensor y(x.shape());
  batch_norm_forward(x, s.mean, s.inv_std, gamma, beta, y);
  return y;
}

// One channel, M = 4 values spread over two images: x = [1, 3 | 5, 7], μ = 4, σ² = 20/4 = 5.
// The functions take 1/σ as given; here it is s = 1/√5 (ε left out to keep the numbers exact).
Tensor x_1357() { return T({2, 1, 1, 2}, {1, 3, 5, 7}); }
Tensor dy_1357() { return T({2, 1, 1, 2}, {1, 2, 0, -1}); }
const double kS = 1 / std::sqrt(5.0);
}  // namespace

TEST_CASE("ex13 (B3) norm_gradient_sums by hand: one channel over two images", "[exercise][ex13][float]") {
  // x̂ = (x − 4)·s = [−3, −1, 1, 3]·s; dy = [1, 2, 0, −1].
  // Σ dy = 1 + 2 + 0 − 1 = 2;   Σ dy·x̂ = (−3 − 2 + 0 − 3)·s = −8s.
  const NormGradientSums sums = norm_gradient_sums(x_1357(), {4}, {kS}, dy_1357());
  check_values("ex13 norm_gradient_sums: Σ dy (= dβ), eq. (B3), summed over n, i and j", per_channel(sums.dy),
               T({1}, {2}), kPage);
  check_values("ex13 norm_gradient_sums: Σ dy·x̂ (= dγ), eq. (B3), x̂ = (x − μ)·inv_std", per_channel(sums.dy_xhat),
               T({1}, {-8 * kS}), kPage);
}

TEST_CASE("ex13 (B4) batch_norm_input_gradient by hand: one channel over two images", "[exercise][ex13][float]") {
  // γ = 2, M = 4: dx = 2s/4 · (4·dy − Σdy − x̂·Σdy·x̂)
  //   4·dy             = [4, 8, 0, −4]
  //   Σdy (mean term)  = 2
  //   x̂·Σdy·x̂ (variance term) = [−3, −1, 1, 3]·s · (−8s) = [24, 8, −8, −24]/5 = [4.8, 1.6, −1.6, −4.8]
  //   bracket          = [4 − 2 − 4.8, 8 − 2 − 1.6, 0 − 2 + 1.6, −4 − 2 + 4.8] = [−2.8, 4.4, −0.4, −1.2]
  //   dx = s/2 · bracket = [−1.4, 2.2, −0.2, −0.6]·s      (Σ dx = 0 and Σ dx·x̂ = 0)
  const NormGradientSums sums{{2}, {-8 * kS}};  // (B3) by hand, so that this check needs only (B4)
  Tensor dx({2, 1, 1, 2});
  batch_norm_input_gradient(x_1357(), {4}, {kS}, T({1}, {2}), dy_1357(), sums, 4, dx);
  check_values("ex13 batch_norm_input_gradient, x = [1, 3 | 5, 7], gamma = 2, dy = [1, 2 | 0, -1], eq. (B4)", dx,
               T({2, 1, 1, 2}, {-1.4 * kS, 2.2 * kS, -0.2 * kS, -0.6 * kS}), kPage);
}

TEST_CASE("ex13 batch_norm_input_gradient ADDS into dx", "[exercise][ex13][float]") {
  const NormGradientSums sums{{2}, {-8 * kS}};
  Tensor dx({2, 1, 1, 2}, Scalar(1));
  batch_norm_input_gradient(x_1357(), {4}, {kS}, T({1}, {2}), dy_1357(), sums, 4, dx);
  check_values("ex13 batch_norm_input_gradient into dx = 1 everywhere (must add, not overwrite), eq. (B4)", dx,
               T({2, 1, 1, 2}, {1 - 1.4 * kS, 1 + 2.2 * kS, 1 - 0.2 * kS, 1 - 0.6 * kS}), kPage);
}

TEST_CASE("ex13 (B4) names its two terms: each one cancels what the other leaves", "[exercise][ex13][float]") {
  // Two channels of M = 8 values with exact statistics (inv_std given without ε):
  //   channel 0: μ = 10, deviations [−3, −2, −2, 0 | 1, 1, 2, 3], σ² = 32/8 = 4, inv_std = 1/2
  //   channel 1: μ = −1, deviations [−1.5, −1, −1, 0 | 0.5, 0.5, 1, 1.5], σ² = 8/8 = 1, inv_std = 1
  // so x̂ = [−1.5, −1, −1, 0, 0.5, 0.5, 1, 1.5] in both channels (Σ x̂ = 0, Σ x̂² = M = 8).
  const Tensor x = T({2, 2, 2, 2}, {7, 8, 8, 10, -2.5, -2, -2, -1,  // image 0: channel 0, channel 1
                                    11, 11, 12, 13, -0.5, -0.5, 0, 0.5});
  const std::vector<double> mean{10, -1}, inv_std{0.5, 1};
  const Tensor gamma = T({2}, {2, 0.5});
  const Tensor zeros({2, 2, 2, 2});
  {
    // dy = 3 on channel 0, −1 on channel 1: Σdy = [24, −8], Σdy·x̂ = 3·Σx̂, −Σx̂ = [0, 0].
    // Shifting every x of a channel by the same amount changes no x̂: dx = 0, because
    // M·dy − Σdy = 0. Without the mean term, dx would be γ·inv_std·dy ≠ 0.
    const Tensor dy = T({2, 2, 2, 2}, {3, 3, 3, 3, -1, -1, -1, -1, 3, 3, 3, 3, -1, -1, -1, -1});
    Tensor dx({2, 2, 2, 2});
    batch_norm_input_gradient(x, mean, inv_std, gamma, dy, NormGradientSums{{24, -8}, {0, 0}}, 8, dx);
    check_values(
        "ex13 batch_norm_input_gradient with dy constant on each channel must be dx = 0: the MEAN term "
        "(−Σdy, through μ) cancels M·dy. Non-zero here means the mean term is missing or wrong, eq. (B4)",
        dx, zeros, kPage);
  }
  {
    // dy = x̂ on both channels: Σdy = Σx̂ = [0, 0], Σdy·x̂ = Σx̂² = [8, 8].
    // Scaling a channel's deviations changes no x̂ either: dx = 0, because
    // M·x̂ − x̂·Σdy·x̂ = 8x̂ − 8x̂ = 0. Without the variance term, dx would be γ·inv_std·x̂ ≠ 0.
    const Tensor xhat = T({2, 2, 2, 2}, {-1.5, -1, -1, 0, -1.5, -1, -1, 0, 0.5, 0.5, 1, 1.5, 0.5, 0.5, 1, 1.5});
    Tensor dx({2, 2, 2, 2});
    batch_norm_input_gradient(x, mean, inv_std, gamma, xhat, NormGradientSums{{0, 0}, {8, 8}}, 8, dx);
    check_values(
        "ex13 batch_norm_input_gradient with dy = x̂ must be dx = 0: the VARIANCE term "
        "(−x̂·Σdy·x̂, through σ²) cancels M·dy. Non-zero here means the variance term is missing or wrong, "
        "eq. (B4)",
        dx, zeros, kPage);
  }
}

TEST_CASE("ex13 batch norm backward agrees with finite differences of the training-mode forward",
          "[exercise][ex13][float]") {
  // dγ = Σdy·x̂ and dβ = Σdy (B3); dx by (B4) with the sums of (B3). Every x moves μ and σ²,
  // so each coordinate of dx is checked against a forward that recomputes the statistics.
  for (const Shape& shape : {Shape{2, 3, 3, 3}, Shape{4, 2, 1, 1}, Shape{1, 2, 2, 3}}) {
    const Tensor x = gcam_test::random_tensor(shape, 131, -1, 2);
    const Tensor gamma = gcam_test::random_tensor({shape[1]}, 132, 0.5, 1.5);
    const Tensor beta = gcam_test::random_tensor({shape[1]}, 133);
    const Tensor u = gcam_test::random_tensor(shape, 134);
    const Statistics s = batch_statistics(x);
    const NormGradientSums sums = norm_gradient_sums(x, s.mean, s.inv_std, u);
    Tensor dx(shape);
    batch_norm_input_gradient(x, s.mean, s.inv_std, gamma, u, sums, s.count, dx);
    check_gradients(
        "ex13 training-mode batch norm " + shape_string(shape),
        [](const std::vector<Tensor>& a) { return training_forward(a[0], a[1], a[2]); }, {x, gamma, beta},
        {"x", "gamma", "beta"}, {dx, per_channel(sums.dy_xhat), per_channel(sums.dy)}, u, kPage);
  }
}
