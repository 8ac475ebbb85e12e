// Exercise ex08 checks: softmax_cross_entropy_forward (S5) and _backward (S6).
// docs/exercises/ex08-softmax-cross-entropy.md
#include <cmath>

#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/ops/softmax_cross_entropy.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage =
    "docs/exercises/ex08-softmax-cross-entropy.md, eqs. (S5) (S6) in include/gcam/ops/softmax_cross_entropy.hpp";
}  // namespace

TEST_CASE("ex08 (S5) softmax_cross_entropy_forward by hand", "[exercise][ex08][float]") {
  Tensor p;
  // Two equal logits: p = [½, ½], L = −log ½ = log 2.
  check_value("ex08 loss of z = [[0, 0]], label 0, eq. (S5)", softmax_cross_entropy_forward(T({1, 2}, {0, 0}), {0}, p),
              std::log(2.0), kPage);
  check_values("ex08 probabilities of z = [[0, 0]]", p, T({1, 2}, {0.5, 0.5}), kPage);
  // Row 0: p = e^k / (e + e² + e³), label 2; row 1: p = ⅓ each, label 0. L is the mean of the two losses.
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const double loss = (-std::log(std::exp(3.0) / s) + std::log(3.0)) / 2;
  check_value("ex08 loss of z = [[1, 2, 3], [1, 1, 1]], labels [2, 0] (mean over the batch), eq. (S5)",
              softmax_cross_entropy_forward(T({2, 3}, {1, 2, 3, 1, 1, 1}), {2, 0}, p), loss, kPage);
  check_values("ex08 probabilities of z = [[1, 2, 3], [1, 1, 1]]", p,
               T({2, 3}, {std::exp(1.0) / s, std::exp(2.0) / s, std::exp(3.0) / s, 1.0 / 3, 1.0 / 3, 1.0 / 3}), kPage);
}

TEST_CASE("ex08 (S5) softmax_cross_entropy_forward stays finite for large logits", "[exercise][ex08][float]") {
  Tensor p;
  // Row 0: the label's logit is 1000 below the other, loss 1000; row 1: loss e^-1000 ≈ 0. Mean 500.
  // exp(1000) overflows: compute through log-sum-exp (or log_softmax_forward).
  const Scalar loss = softmax_cross_entropy_forward(T({2, 2}, {1000, 0, 0, 1000}), {1, 1}, p);
  check_value("ex08 loss of z = [[1000, 0], [0, 1000]], labels [1, 1], eq. (S5)", loss, 500, kPage);
  check_values("ex08 probabilities of z = [[1000, 0], [0, 1000]]", p, T({2, 2}, {1, 0, 0, 1}), kPage);
}

TEST_CASE("ex08 (S6) softmax_cross_entropy_backward by hand, ADDING into dz", "[exercise][ex08][float]") {
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const Tensor p = T({2, 3}, {std::exp(1.0) / s, std::exp(2.0) / s, std::exp(3.0) / s, 1.0 / 3, 1.0 / 3, 1.0 / 3});
  Tensor dz({2, 3}, Scalar(1));
  // dL = 2, N = 2: dz += (p − onehot), labels [2, 0].
  softmax_cross_entropy_backward(p, {2, 0}, 2, dz);
  check_values("ex08 dz for labels [2, 0], dL = 2, N = 2, into dz = 1 everywhere, eq. (S6)", dz,
               T({2, 3}, {1 + std::exp(1.0) / s, 1 + std::exp(2.0) / s, std::exp(3.0) / s, 1 - 2.0 / 3, 1 + 1.0 / 3,
                          1 + 1.0 / 3}),
               kPage);
}

TEST_CASE("ex08 softmax_cross_entropy_backward agrees with finite differences", "[exercise][ex08][float]") {
  const std::vector<int> labels = {4, 0, 2};
  const Tensor z = gcam_test::random_tensor({3, 5}, 81, -3, 3);
  Tensor p;
  softmax_cross_entropy_forward(z, labels, p);
  const Tensor u = T({}, {0.7});  // dL
  Tensor dz(z.shape());
  softmax_cross_entropy_backward(p, labels, u[0], dz);
  check_gradients(
      "ex08 softmax_cross_entropy z (3, 5)",
      [&](const std::vector<Tensor>& a) {
        Tensor probabilities;
        return Tensor(Shape{}, softmax_cross_entropy_forward(a[0], labels, probabilities));
      },
      {z}, {"z"}, {dz}, u, kPage);
}
