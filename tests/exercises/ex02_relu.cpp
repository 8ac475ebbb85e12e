// Exercise ex02 checks: relu_forward (R1) and relu_backward (R2).
// docs/exercises/ex02-relu.md
#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/ops/relu.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex02-relu.md, eqs. (R1) (R2) in include/gcam/ops/relu.hpp";
}  // namespace

TEST_CASE("ex02 (R1) relu_forward by hand", "[exercise][ex02][float]") {
  const Tensor x = T({1, 5}, {-2, -0.5, 0, 0.5, 3});
  check_values("ex02 relu_forward([-2, -0.5, 0, 0.5, 3]), eq. (R1)", relu_forward(x), T({1, 5}, {0, 0, 0, 0.5, 3}),
               kPage);
  // Any rank: the shape is kept.
  const Tensor x4 = T({2, 1, 1, 3}, {1, -1, 2, -3, 0.25, -0.25});
  check_values("ex02 relu_forward of a (2, 1, 1, 3) tensor, eq. (R1)", relu_forward(x4),
               T({2, 1, 1, 3}, {1, 0, 2, 0, 0.25, 0}), kPage);
}

TEST_CASE("ex02 (R2) relu_backward by hand: dy passes where x > 0, and is ADDED to dx", "[exercise][ex02][float]") {
  const Tensor x = T({1, 5}, {-2, -0.5, 0, 0.5, 3});
  const Tensor dy = T({1, 5}, {1, 2, 3, 4, 5});
  Tensor dx(x.shape());
  relu_backward(x, dy, dx);
  // At x = 0 exactly, (R2) chooses the subgradient 0.
  check_values("ex02 relu_backward, dx starting at 0, eq. (R2)", dx, T({1, 5}, {0, 0, 0, 4, 5}), kPage);
  Tensor acc(x.shape(), Scalar(10));
  relu_backward(x, dy, acc);
  check_values("ex02 relu_backward into dx = 10 everywhere (must add, not overwrite), eq. (R2)", acc,
               T({1, 5}, {10, 10, 10, 14, 15}), kPage);
}

TEST_CASE("ex02 relu_backward agrees with finite differences of relu_forward", "[exercise][ex02][float]") {
  for (const Shape& shape : {Shape{1, 7}, Shape{2, 3, 4, 4}}) {
    // Inputs at least kKinkGap away from 0: a step across the kink would not measure the slope.
    const Tensor x = gcam_test::distinct_tensor(shape, 21, kKinkGap);
    const Tensor u = gcam_test::random_tensor(shape, 22);
    Tensor dx(shape);
    relu_backward(x, u, dx);
    check_gradients(
        "ex02 relu " + shape_string(shape), [](const std::vector<Tensor>& a) { return relu_forward(a[0]); }, {x}, {"x"},
        {dx}, u, kPage);
  }
}
