// Exercise ex03 checks: linear_forward (D1) and linear_backward (D2)-(D4).
// docs/exercises/ex03-linear.md
#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/ops/linear.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex03-linear.md, eqs. (D1)-(D4) in include/gcam/ops/linear.hpp";

// x (2, 3), w (2, 3): Out = 2, In = 3.
Tensor hand_x() { return T({2, 3}, {1, 2, 3, -1, 0, 2}); }
Tensor hand_w() { return T({2, 3}, {1, 0, -1, 2, 1, 0.5}); }
}  // namespace

TEST_CASE("ex03 (D1) linear_forward by hand", "[exercise][ex03][float]") {
  const Tensor b = T({2}, {0.5, -1});
  // y[0] = [1 − 3 + 0.5, 2 + 2 + 1.5 − 1], y[1] = [−1 − 2 + 0.5, −2 + 0 + 1 − 1]
  check_values("ex03 linear_forward, eq. (D1)", linear_forward(hand_x(), hand_w(), b), T({2, 2}, {-1.5, 4.5, -2.5, -2}),
               kPage);
  // Out ≠ N: y is (N, Out) = (1, 3).
  const Tensor x1 = T({1, 2}, {2, -1});
  const Tensor w3 = T({3, 2}, {1, 1, 0, 1, 3, 0});
  check_values("ex03 linear_forward with N = 1, In = 2, Out = 3, eq. (D1)", linear_forward(x1, w3, T({3}, {0, 0, 1})),
               T({1, 3}, {1, -1, 7}), kPage);
}

TEST_CASE("ex03 (D2)-(D4) linear_backward by hand, ADDING into dx, dw, db", "[exercise][ex03][float]") {
  const Tensor dy = T({2, 2}, {1, 2, -1, 0.5});
  Tensor dx({2, 3}), dw({2, 3}), db({2});
  linear_backward(hand_x(), hand_w(), dy, dx, dw, db);
  check_values("ex03 linear_backward dx, eq. (D2)", dx, T({2, 3}, {5, 2, 0, 0, 0.5, 1.25}), kPage);
  check_values("ex03 linear_backward dw, eq. (D3)", dw, T({2, 3}, {2, 2, 1, 1.5, 4, 7}), kPage);
  check_values("ex03 linear_backward db, eq. (D4)", db, T({2}, {0, 2.5}), kPage);
  // A second call adds the same amounts again.
  linear_backward(hand_x(), hand_w(), dy, dx, dw, db);
  check_values("ex03 linear_backward dx after two calls (must add), eq. (D2)", dx, T({2, 3}, {10, 4, 0, 0, 1, 2.5}),
               kPage);
  check_values("ex03 linear_backward dw after two calls (must add), eq. (D3)", dw, T({2, 3}, {4, 4, 2, 3, 8, 14}),
               kPage);
  check_values("ex03 linear_backward db after two calls (must add), eq. (D4)", db, T({2}, {0, 5}), kPage);
}

TEST_CASE("ex03 linear_backward agrees with finite differences of linear_forward", "[exercise][ex03][float]") {
  struct Case {
    int N, In, Out;
  };
  for (const Case c : {Case{1, 5, 3}, Case{3, 4, 2}, Case{4, 2, 6}}) {
    const Tensor x = gcam_test::random_tensor({c.N, c.In}, 31);
    const Tensor w = gcam_test::random_tensor({c.Out, c.In}, 32);
    const Tensor b = gcam_test::random_tensor({c.Out}, 33);
    const Tensor u = gcam_test::random_tensor({c.N, c.Out}, 34);
    Tensor dx(x.shape()), dw(w.shape()), db(b.shape());
    linear_backward(x, w, u, dx, dw, db);
    check_gradients(
        "ex03 linear N=" + std::to_string(c.N) + " In=" + std::to_string(c.In) + " Out=" + std::to_string(c.Out),
        [](const std::vector<Tensor>& a) { return linear_forward(a[0], a[1], a[2]); }, {x, w, b}, {"x", "w", "b"},
        {dx, dw, db}, u, kPage);
  }
}
