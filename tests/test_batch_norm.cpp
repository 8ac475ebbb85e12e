// batch_norm2d: forward values by hand, gradcheck in both modes, and the
// planted rules without the mean term or without the variance term of (B4).
#include <cmath>

#include "gcam/core/error.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

auto training_f = [](Tape& t, const std::vector<Var>& a) { return batch_norm2d_training(t, a[0], a[1], a[2]); };
const std::vector<std::string> bn_names = {"x", "weight", "bias"};

std::vector<Tensor> bn_args(const Shape& x, std::uint64_t seed) {
  const int C = x[1];
  return {random_tensor(x, seed, -2, 3), random_tensor({C}, seed + 1, 0.5, 2), random_tensor({C}, seed + 2)};
}

std::vector<double> saved_row(const Record& r, int row) {
  const int C = r.saved.dim(1);
  return std::vector<double>(r.saved.data() + row * C, r.saved.data() + (row + 1) * C);
}

// The training rule keeping only some of (B4)'s two batch sums: leaving one
// out is what a student who treats μ or σ² as a constant would write.
BackwardRule rule_keeping(bool mean_term, bool variance_term) {
  return [=](const Tape& tape, const Record& r, const Tensor& dy, Gradients& g) {
    const Tensor& x = tape.at(r.inputs[0]).output();
    const Tensor& gamma = tape.at(r.inputs[1]).output();
    const std::vector<double> mean = saved_row(r, 0), inv_std = saved_row(r, 1);
    NormGradientSums sums = norm_gradient_sums(x, mean, inv_std, dy);
    for (std::size_t c = 0; c < mean.size(); ++c) {
      g.accumulator(r.inputs[1])[c] += Scalar(sums.dy_xhat[c]);
      g.accumulator(r.inputs[2])[c] += Scalar(sums.dy[c]);
    }
    if (!mean_term) std::fill(sums.dy.begin(), sums.dy.end(), 0.0);
    if (!variance_term) std::fill(sums.dy_xhat.begin(), sums.dy_xhat.end(), 0.0);
    batch_norm_input_gradient(x, mean, inv_std, gamma, dy, sums, r.attrs.count, g.accumulator(r.inputs[0]));
  };
}

}  // namespace

TEST_CASE("(B1)-(B2) batch norm forward in training mode by hand, and (B5) the running statistics",
          "[ops][batch_norm]") {
  // Channel 0 holds 1, 3, 5, 7: μ = 4, σ² = (9 + 1 + 1 + 9)/4 = 5 (biased), M = 4.
  // Channel 1 holds 2, 2, 2, 6: μ = 3, σ² = (1 + 1 + 1 + 9)/4 = 3.
  // x is (N=2, C=2, 1, 2): image 0 has channel 0 = [1, 3], channel 1 = [2, 2]; image 1 [5, 7], [2, 6].
  const Tensor x({2, 2, 1, 2}, {1, 3, 2, 2, 5, 7, 2, 6});
  const Tensor gamma({2}, {2, -1}), beta({2}, {0.5, 1});
  Tape tape;
  BatchStatistics stats;
  const Var y = batch_norm2d_training(tape, tape.input(x), tape.input(gamma), tape.input(beta), &stats);
  const double s0 = std::sqrt(5 + 1e-5), s1 = std::sqrt(3 + 1e-5);
  const Tensor& yv = tape.value(y);
  CHECK(yv.at(0, 0, 0, 0) == Approx(2 * (1 - 4) / s0 + 0.5));
  CHECK(yv.at(1, 0, 0, 1) == Approx(2 * (7 - 4) / s0 + 0.5));
  CHECK(yv.at(0, 1, 0, 0) == Approx(-1 * (2 - 3) / s1 + 1));
  CHECK(yv.at(1, 1, 0, 1) == Approx(-1 * (6 - 3) / s1 + 1));
  CHECK(stats.mean == std::vector<double>{4, 3});
  CHECK(stats.variance == std::vector<double>{5, 3});
  CHECK(stats.count == 4);
  // (B5) from running_mean 0, running_var 1 with m = 0.1 and the unbiased σ²·4/3.
  Tensor running_mean({2}, 0), running_var({2}, 1);
  update_running_statistics(stats, running_mean, running_var);
  CHECK(running_mean[0] == Approx(0.4));
  CHECK(running_mean[1] == Approx(0.3));
  CHECK(running_var[0] == Approx(0.9 + 0.1 * 5 * 4 / 3));
  CHECK(running_var[1] == Approx(0.9 + 0.1 * 3 * 4 / 3));
}

TEST_CASE("(B6) batch norm forward in evaluation mode uses the running statistics", "[ops][batch_norm]") {
  const Tensor x({1, 1, 1, 3}, {1, 3, 5});  // batch 1: the batch's own statistics play no part
  const Tensor gamma({1}, {2}), beta({1}, {0.5});
  const Tensor running_mean({1}, {1}), running_var({1}, {4});
  Tape tape;
  const Var y =
      batch_norm2d_evaluation(tape, tape.input(x), tape.input(gamma), tape.input(beta), running_mean, running_var);
  const double s = std::sqrt(4 + 1e-5);
  CHECK(tape.value(y)[0] == Approx(0.5));
  CHECK(tape.value(y)[1] == Approx(2 * 2 / s + 0.5));
  CHECK(tape.value(y)[2] == Approx(2 * 4 / s + 0.5));
}

TEST_CASE("(B7) batch norm folded into the convolution before it, by hand and against conv then (B6)",
          "[ops][batch_norm]") {
  // One 1×1 filter: w = 2, b = 1; γ = 3, β = 0.5, running mean 4, running variance 3, ε = 1:
  // s = 3/√4 = 1.5, w' = 1.5·2 = 3, b' = 1.5·(1 − 4) + 0.5 = −4.
  const FoldedConv hand = fold_batch_norm(Tensor({1, 1, 1, 1}, {2}), Tensor({1}, {1}), Tensor({1}, {3}),
                                          Tensor({1}, {0.5}), Tensor({1}, {4}), Tensor({1}, {3}), /*epsilon=*/1);
  CHECK(hand.weight[0] == Approx(3));
  CHECK(hand.bias[0] == Approx(-4));
  // Random shapes: conv(x; w', b') equals (B6) applied to conv(x; w, b).
  const Tensor x = random_tensor({2, 3, 6, 5}, 1), w = random_tensor({4, 3, 3, 3}, 2), b = random_tensor({4}, 3);
  const Tensor gamma = random_tensor({4}, 4), beta = random_tensor({4}, 5), mean = random_tensor({4}, 6);
  const Tensor var = random_tensor({4}, 7, 0.5, 2);
  Tape tape;
  const Var unfolded = batch_norm2d_evaluation(tape, conv2d(tape, tape.input(x), tape.input(w), tape.input(b), 1, 1),
                                               tape.input(gamma), tape.input(beta), mean, var);
  const FoldedConv f = fold_batch_norm(w, b, gamma, beta, mean, var);
  const Var folded = conv2d(tape, tape.input(x), tape.input(f.weight), tape.input(f.bias), 1, 1);
  CHECK(max_abs_difference(tape.value(folded), tape.value(unfolded)) <= (sizeof(Scalar) == 4 ? 1e-5 : 1e-12));
  CHECK_THROWS_AS(fold_batch_norm(w, b, gamma, beta, mean, Tensor({3}, 1)), ShapeError);
}

TEST_CASE("batch norm in training mode passes gradcheck on three shapes", "[ops][batch_norm]") {
  for (const Shape& x : {Shape{2, 3, 4, 5}, Shape{3, 2, 3, 3}, Shape{1, 2, 5, 7}})
    require_gradcheck("batch_norm2d training " + shape_string(x), training_f, bn_args(x, 11), bn_names);
}

TEST_CASE("batch norm in evaluation mode passes gradcheck on three shapes, batch 1 among them", "[ops][batch_norm]") {
  for (const Shape& x : {Shape{1, 3, 4, 4}, Shape{2, 2, 3, 5}, Shape{3, 4, 1, 1}}) {
    const int C = x[1];
    const Tensor running_mean = random_tensor({C}, 21), running_var = random_tensor({C}, 22, 0.5, 2);
    auto f = [&](Tape& t, const std::vector<Var>& a) {
      return batch_norm2d_evaluation(t, a[0], a[1], a[2], running_mean, running_var);
    };
    require_gradcheck("batch_norm2d evaluation " + shape_string(x), f, bn_args(x, 31), bn_names);
  }
}

TEST_CASE("gradcheck rejects a batch norm backward without the mean term", "[checker][batch_norm]") {
  const auto r =
      gradcheck_with_rules("batch_norm2d", training_f, bn_args({2, 3, 3, 4}, 41), bn_names,
                           {{OpKind::BatchNorm2d, rule_keeping(/*mean_term=*/false, /*variance_term=*/true)}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "x");
}

TEST_CASE("gradcheck rejects a batch norm backward without the variance term", "[checker][batch_norm]") {
  const auto r =
      gradcheck_with_rules("batch_norm2d", training_f, bn_args({2, 3, 3, 4}, 43), bn_names,
                           {{OpKind::BatchNorm2d, rule_keeping(/*mean_term=*/true, /*variance_term=*/false)}});
  CHECK_FALSE(r.passed);
  CHECK(r.argument == "x");
}

TEST_CASE("the planted batch norm rules differ from the true one only in the terms they drop",
          "[checker][batch_norm]") {
  // Control: with both terms the replacement rule is the op's own and passes.
  const auto r = gradcheck_with_rules("batch_norm2d", training_f, bn_args({2, 3, 3, 4}, 45), bn_names,
                                      {{OpKind::BatchNorm2d, rule_keeping(true, true)}});
  INFO(r.message);
  CHECK(r.passed);
}

TEST_CASE("batch norm refuses shapes that do not fit and a single value per channel in training",
          "[ops][batch_norm][errors]") {
  Tape tape;
  const Var x = tape.input(Tensor({2, 3, 2, 2}, 1));
  CHECK_THROWS_WITH(batch_norm2d_training(tape, x, tape.input(Tensor({2}, 1)), tape.input(Tensor({3}))),
                    Catch::Contains("batch_norm2d") && Catch::Contains("[2]") && Catch::Contains("[2, 3, 2, 2]"));
  const Var one = tape.input(Tensor({1, 3, 1, 1}, 1));
  CHECK_THROWS_AS(batch_norm2d_training(tape, one, tape.input(Tensor({3}, 1)), tape.input(Tensor({3}))), ShapeError);
  CHECK_THROWS_WITH(batch_norm2d_evaluation(tape, x, tape.input(Tensor({3}, 1)), tape.input(Tensor({3})), Tensor({4}),
                                            Tensor({4}, 1)),
                    Catch::Contains("running statistics"));
}
