// Exercise ex07 checks: max_pool2d_forward (P1) and max_pool2d_backward (P2).
// docs/exercises/ex07-max-pool.md
#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/ops/max_pool2d.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex07-max-pool.md, eqs. (P1) (P2) in include/gcam/ops/max_pool2d.hpp";

void check_winners(const std::string& what, const std::vector<int>& actual, const std::vector<int>& expected) {
  std::string a, x;
  for (int v : actual) a += (a.empty() ? "" : ", ") + std::to_string(v);
  for (int v : expected) x += (x.empty() ? "" : ", ") + std::to_string(v);
  INFO(what << ": winners are [" << a << "] but should be [" << x << "] (flat indices into x, one per output"
            << " element; on ties the first maximum in row-major order). Read " << kPage);
  CHECK(actual == expected);
}
}  // namespace

TEST_CASE("ex07 (P1) max_pool2d_forward by hand: window maxima, the first one on ties", "[exercise][ex07][float]") {
  const Tensor x = T({1, 1, 2, 4}, {1, 7, 3, 3, 5, 2, 3, 0});
  std::vector<int> winners;
  check_values("ex07 max_pool2d_forward 2x4, kernel 2, stride 2, eq. (P1)", max_pool2d_forward(x, 2, 2, winners),
               T({1, 1, 1, 2}, {7, 3}), kPage);
  // The second window holds three 3s (flat indices 2, 3, 6): index 2 comes first.
  check_winners("ex07 max_pool2d_forward 2x4, kernel 2, stride 2", winners, {1, 2});
  // A window of negative numbers: the maximum is −1, not 0.
  check_values("ex07 max_pool2d_forward of [-3, -1, -2, -4], eq. (P1)",
               max_pool2d_forward(T({1, 1, 2, 2}, {-3, -1, -2, -4}), 2, 2, winners), T({1, 1, 1, 1}, {-1}), kPage);
  check_winners("ex07 max_pool2d_forward of [-3, -1, -2, -4]", winners, {1});
}

TEST_CASE("ex07 (P1) max_pool2d_forward by hand: images, channels and sizes that do not divide",
          "[exercise][ex07][float]") {
  // Four planes (n, c) of 2×2; plane p starts at flat index 4p.
  const Tensor x = T({2, 2, 2, 2}, {1, 2, 3, 4, 8, 7, 6, 5, 0, 9, 0, 0, -1, -1, -1, -1});
  std::vector<int> winners;
  check_values("ex07 max_pool2d_forward (2, 2, 2, 2), kernel 2, stride 2, eq. (P1)",
               max_pool2d_forward(x, 2, 2, winners), T({2, 2, 1, 1}, {4, 8, 9, -1}), kPage);
  check_winners("ex07 max_pool2d_forward (2, 2, 2, 2), kernel 2, stride 2", winners, {3, 4, 9, 12});
  // 3×5 with kernel 2, stride 2: one row and two columns of windows; the last row and column are not covered.
  const Tensor y = T({1, 1, 3, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  check_values("ex07 max_pool2d_forward 3x5, kernel 2, stride 2, eq. (P1)", max_pool2d_forward(y, 2, 2, winners),
               T({1, 1, 1, 2}, {7, 9}), kPage);
  check_winners("ex07 max_pool2d_forward 3x5, kernel 2, stride 2", winners, {6, 8});
}

TEST_CASE("ex07 (P2) max_pool2d_backward by hand: the gradient goes to the winner, ADDED", "[exercise][ex07][float]") {
  Tensor dx({1, 1, 2, 4}, Scalar(1));
  max_pool2d_backward(T({1, 1, 1, 2}, {10, 20}), {1, 2}, dx);
  check_values("ex07 max_pool2d_backward, winners [1, 2], into dx = 1 everywhere, eq. (P2)", dx,
               T({1, 1, 2, 4}, {1, 11, 21, 1, 1, 1, 1, 1}), kPage);
  // Overlapping windows (kernel 2, stride 1): the centre 9 wins all four, so it receives 1 + 2 + 3 + 4.
  const Tensor x = T({1, 1, 3, 3}, {1, 2, 3, 4, 9, 5, 6, 7, 8});
  std::vector<int> winners;
  const Tensor y = max_pool2d_forward(x, 2, 1, winners);
  check_values("ex07 max_pool2d_forward 3x3, kernel 2, stride 1, eq. (P1)", y, T({1, 1, 2, 2}, {9, 9, 9, 9}), kPage);
  check_winners("ex07 max_pool2d_forward 3x3, kernel 2, stride 1", winners, {4, 4, 4, 4});
  Tensor dx3({1, 1, 3, 3});
  max_pool2d_backward(T({1, 1, 2, 2}, {1, 2, 3, 4}), winners, dx3);
  check_values("ex07 max_pool2d_backward, one cell winning four windows, eq. (P2)", dx3,
               T({1, 1, 3, 3}, {0, 0, 0, 0, 10, 0, 0, 0, 0}), kPage);
}

TEST_CASE("ex07 max_pool2d_backward agrees with finite differences (inputs without ties)", "[exercise][ex07][float]") {
  struct Case {
    Shape x;
    int kernel, stride;
  };
  const Case cases[] = {{{2, 2, 4, 4}, 2, 2}, {{1, 2, 5, 5}, 3, 2}, {{1, 1, 4, 6}, 2, 1}};
  for (const Case& c : cases) {
    // All values distinct (further apart than twice the step): no ties, no winner changes under ±h.
    const Tensor x = gcam_test::distinct_tensor(c.x, 71);
    std::vector<int> winners;
    const Tensor y = max_pool2d_forward(x, c.kernel, c.stride, winners);
    const Tensor u = gcam_test::random_tensor(y.shape(), 72);
    Tensor dx(x.shape());
    max_pool2d_backward(u, winners, dx);
    check_gradients(
        "ex07 max_pool2d x " + shape_string(c.x) + ", kernel " + std::to_string(c.kernel) + ", stride " +
            std::to_string(c.stride),
        [&](const std::vector<Tensor>& a) {
          std::vector<int> w;
          return max_pool2d_forward(a[0], c.kernel, c.stride, w);
        },
        {x}, {"x"}, {dx}, u, kPage);
  }
}
