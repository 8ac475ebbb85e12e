// Exercise ex06 checks: conv2d_backward (C2)-(C4).
// docs/exercises/ex06-conv2d-backward.md
//
// The finite differences need a forward pass. conv2d_forward is exercise ex05
// and may still be a stub, so they use the forward of the fast path
// (tests/test_fast_kernels.cpp proves it equal to the reference). The function
// checked is the reference conv2d_backward, called directly.
#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/ops/conv2d.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex06-conv2d-backward.md, eqs. (C2)-(C4) in include/gcam/ops/conv2d.hpp";

Tensor x3x3() { return T({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}); }
Tensor w2x2() { return T({1, 1, 2, 2}, {1, 0, 0, -1}); }
Tensor dy2x2() { return T({1, 1, 2, 2}, {1, 2, 3, 4}); }
}  // namespace

TEST_CASE("ex06 (C2)-(C4) conv2d_backward by hand, stride 1", "[exercise][ex06][float]") {
  Tensor dx({1, 1, 3, 3}), dw({1, 1, 2, 2}), db({1});
  conv2d_backward(x3x3(), w2x2(), dy2x2(), 1, 0, dx, dw, db);
  // dx[r][c] = Σ w[p][q]·dy[r−p][c−q]; dw[p][q] = Σ dy[i][j]·x[i+p][j+q]; db = Σ dy.
  check_values("ex06 conv2d_backward stride 1: dx, eq. (C2)", dx, T({1, 1, 3, 3}, {1, 2, 0, 3, 3, -2, 0, -3, -4}),
               kPage);
  check_values("ex06 conv2d_backward stride 1: dw, eq. (C3)", dw, T({1, 1, 2, 2}, {37, 47, 67, 77}), kPage);
  check_values("ex06 conv2d_backward stride 1: db, eq. (C4)", db, T({1}, {10}), kPage);
}

TEST_CASE("ex06 (C2)-(C4) conv2d_backward by hand, stride 2 and padding 1", "[exercise][ex06][float]") {
  Tensor dx({1, 1, 3, 3}), dw({1, 1, 2, 2}), db({1});
  conv2d_backward(x3x3(), w2x2(), dy2x2(), 2, 1, dx, dw, db);
  // w[p][q] met x[2i+p−1][2j+q−1]; products that fell into the padding send nothing back.
  check_values("ex06 conv2d_backward stride 2, padding 1: dx, eq. (C2)", dx,
               T({1, 1, 3, 3}, {-1, 0, -2, 0, 4, 0, -3, 0, -4}), kPage);
  check_values("ex06 conv2d_backward stride 2, padding 1: dw, eq. (C3)", dw, T({1, 1, 2, 2}, {20, 36, 36, 64}), kPage);
  check_values("ex06 conv2d_backward stride 2, padding 1: db, eq. (C4)", db, T({1}, {10}), kPage);
}

TEST_CASE("ex06 conv2d_backward ADDS into dx, dw and db", "[exercise][ex06][float]") {
  Tensor dx({1, 1, 3, 3}, Scalar(1)), dw({1, 1, 2, 2}, Scalar(1)), db({1}, Scalar(1));
  conv2d_backward(x3x3(), w2x2(), dy2x2(), 1, 0, dx, dw, db);
  check_values("ex06 conv2d_backward into dx = 1 everywhere, eq. (C2)", dx,
               T({1, 1, 3, 3}, {2, 3, 1, 4, 4, -1, 1, -2, -3}), kPage);
  check_values("ex06 conv2d_backward into dw = 1 everywhere, eq. (C3)", dw, T({1, 1, 2, 2}, {38, 48, 68, 78}), kPage);
  check_values("ex06 conv2d_backward into db = 1, eq. (C4)", db, T({1}, {11}), kPage);
}

TEST_CASE("ex06 conv2d_backward agrees with finite differences on three shapes", "[exercise][ex06][float]") {
  struct Case {
    Shape x, w;
    int stride, padding;
  };
  const Case cases[] = {
      {{1, 1, 4, 4}, {2, 1, 3, 3}, 1, 0}, {{2, 3, 5, 5}, {4, 3, 3, 3}, 2, 1}, {{2, 2, 7, 6}, {3, 2, 2, 3}, 2, 1}};
  for (const Case& c : cases) {
    const Tensor x = gcam_test::random_tensor(c.x, 61), w = gcam_test::random_tensor(c.w, 62);
    const Tensor b = gcam_test::random_tensor({c.w[0]}, 63);
    const Tensor y = fast::conv2d_forward(x, w, b, c.stride, c.padding, nullptr);
    const Tensor u = gcam_test::random_tensor(y.shape(), 64);
    Tensor dx(x.shape()), dw(w.shape()), db(b.shape());
    conv2d_backward(x, w, u, c.stride, c.padding, dx, dw, db);
    check_gradients(
        "ex06 conv2d x " + shape_string(c.x) + ", w " + shape_string(c.w) + ", stride " + std::to_string(c.stride) +
            ", padding " + std::to_string(c.padding),
        [&](const std::vector<Tensor>& a) {
          return fast::conv2d_forward(a[0], a[1], a[2], c.stride, c.padding, nullptr);
        },
        {x, w, b}, {"x", "w", "b"}, {dx, dw, db}, u, kPage);
  }
}
