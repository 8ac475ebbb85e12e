// The fast batch-norm passes (include/gcam/fast/batch_norm.hpp) against the
// reference loops of src/ops/batch_norm2d.cpp, and bit-identical for any
// thread count; and a whole training-mode batch norm on a Fast tape against a
// Reference tape, forward and backward.
#include <catch2/catch.hpp>

#include <cmath>

#include "gcam/core/thread_pool.hpp"
#include "gcam/fast/batch_norm.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

constexpr double kTolerance = sizeof(Scalar) == 4 ? 2e-6 : 1e-13;

double max_relative_difference(const std::vector<double>& got, const std::vector<double>& ref) {
  double worst = 0;
  for (std::size_t i = 0; i < ref.size(); ++i)
    worst = std::max(worst, std::abs(got[i] - ref[i]) / std::max(1.0, std::abs(ref[i])));
  return worst;
}

double max_relative_difference(const Tensor& got, const Tensor& ref) {
  REQUIRE(got.shape() == ref.shape());
  double worst = 0, scale = 1;
  for (std::size_t e = 0; e < ref.size(); ++e) {
    worst = std::max(worst, std::abs(double(got[e]) - double(ref[e])));
    scale = std::max(scale, std::abs(double(ref[e])));
  }
  return worst / scale;
}

}  // namespace

TEST_CASE("fast batch-norm passes agree with the reference loops", "[fast][float][batch_norm]") {
  // 13·11 = 4·32 + 8 + 7 values per plane: the 32-lane loop, one 8-lane block
  // and a tail of 7 all count.
  const Tensor x = random_tensor({3, 5, 13, 11}, 1, -2, 3), dy = random_tensor({3, 5, 13, 11}, 2);
  const Tensor gamma = random_tensor({5}, 3, 0.5, 2), beta = random_tensor({5}, 4);
  const double count = 3.0 * 13 * 11;
  const std::vector<double> mean = channel_sums(x);
  std::vector<double> mu(mean.size()), inv_std(mean.size());
  for (std::size_t c = 0; c < mean.size(); ++c) mu[c] = mean[c] / count;
  const std::vector<double> deviations = channel_squared_deviations(x, mu);
  for (std::size_t c = 0; c < mean.size(); ++c) inv_std[c] = 1 / std::sqrt(deviations[c] / count + 1e-5);
  Tensor y_ref(x.shape()), dx_ref = random_tensor(x.shape(), 5), dx_eval_ref = dx_ref;
  batch_norm_forward(x, mu, inv_std, gamma, beta, y_ref);
  const NormGradientSums sums = norm_gradient_sums(x, mu, inv_std, dy);
  batch_norm_input_gradient(x, mu, inv_std, gamma, dy, sums, count, dx_ref);
  for (std::size_t e = 0; e < x.size(); ++e)
    dx_eval_ref[e] += Scalar(gamma[std::size_t(x.shape()[1] > 0 ? (e / (13 * 11)) % 5 : 0)] *
                             inv_std[(e / (13 * 11)) % 5] * dy[e]);  // (B6) by hand
  ThreadPool two(2), three(3);
  Tensor first_y, first_dx;
  for (ThreadPool* pool : {static_cast<ThreadPool*>(nullptr), &two, &three}) {
    INFO((pool ? pool->threads() : 0) << " threads");
    CHECK(max_relative_difference(fast::channel_sums(x, pool), mean) <= 1e-12);
    CHECK(max_relative_difference(fast::channel_squared_deviations(x, mu, pool), deviations) <= 1e-12);
    std::vector<double> dy_sum, dy_xhat_sum;
    fast::norm_gradient_sums(x, mu, inv_std, dy, dy_sum, dy_xhat_sum, pool);
    CHECK(max_relative_difference(dy_sum, sums.dy) <= 1e-12);
    CHECK(max_relative_difference(dy_xhat_sum, sums.dy_xhat) <= 1e-10);
    Tensor y(x.shape()), dx = random_tensor(x.shape(), 5), dx_eval = dx;
    fast::batch_norm_forward(x, mu, inv_std, gamma, beta, y, pool);
    CHECK(max_relative_difference(y, y_ref) <= kTolerance);
    fast::batch_norm_input_gradient(x, mu, inv_std, gamma, dy, sums.dy, sums.dy_xhat, count, dx, pool);
    CHECK(max_relative_difference(dx, dx_ref) <= kTolerance);
    Tensor from_zero(x.shape()), in_place = dy;  // the in-place rule writes what += adds into zeros
    fast::batch_norm_input_gradient(x, mu, inv_std, gamma, dy, sums.dy, sums.dy_xhat, count, from_zero, pool);
    fast::batch_norm_input_gradient_in_place(x, mu, inv_std, gamma, sums.dy, sums.dy_xhat, count, in_place, pool);
    CHECK(bit_identical(in_place, from_zero));
    fast::batch_norm_constant_input_gradient(gamma, inv_std, dy, dx_eval, pool);
    CHECK(max_relative_difference(dx_eval, dx_eval_ref) <= kTolerance);
    if (!pool) {
      first_y = y, first_dx = dx;
    } else {  // threads change nothing
      CHECK(bit_identical(y, first_y));
      CHECK(bit_identical(dx, first_dx));
    }
  }
}

TEST_CASE("a batch-norm record on a Fast tape equals the Reference tape, forward and backward",
          "[fast][float][batch_norm]") {
  const Tensor x = random_tensor({4, 3, 6, 7}, 11, -1, 2), gamma = random_tensor({3}, 12, 0.5, 2);
  const Tensor beta = random_tensor({3}, 13), seed = random_tensor({4, 3, 6, 7}, 14);
  ThreadPool two(2);
  auto run = [&](Kernels kernels, bool training) {
    Tape tape(kernels, &two);
    const Var xv = tape.input(x), g = tape.parameter(gamma, "weight"), b = tape.parameter(beta, "bias");
    const Var y =
        training ? batch_norm2d_training(tape, xv, g, b)
                 : batch_norm2d_evaluation(tape, xv, g, b, random_tensor({3}, 15), random_tensor({3}, 16, 0.5, 1.5));
    const Gradients grads = tape.backward(y, seed);
    return std::vector<Tensor>{tape.value(y), grads.of(xv), grads.of(g), grads.of(b)};
  };
  for (const bool training : {true, false}) {
    INFO((training ? "training" : "evaluation"));
    const std::vector<Tensor> fast = run(Kernels::Fast, training), reference = run(Kernels::Reference, training);
    for (std::size_t i = 0; i < fast.size(); ++i)
      CHECK(max_relative_difference(fast[i], reference[i]) <= 10 * kTolerance);
  }
}
