// Exercise ex05 checks: conv2d_forward (C1).
// docs/exercises/ex05-conv2d-forward.md
//
// conv_output_size is given (not part of the exercise), so it is not checked here.
#include "../helpers.hpp"
#include "exercise_checks.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/ops/conv2d.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex05-conv2d-forward.md, eq. (C1) in include/gcam/ops/conv2d.hpp";

Tensor x3x3() { return T({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}); }
Tensor w2x2() { return T({1, 1, 2, 2}, {1, 0, 0, -1}); }
}  // namespace

TEST_CASE("ex05 (C1) conv2d_forward by hand: stride 1, then stride 2 with padding 1", "[exercise][ex05][float]") {
  // w = [[1, 0], [0, -1]]: y[i][j] = x[i][j] − x[i+1][j+1] + 0.5 = −3.5 everywhere.
  check_values("ex05 conv2d_forward 3x3 image, 2x2 kernel, stride 1, padding 0, bias 0.5",
               conv2d_forward(x3x3(), w2x2(), T({1}, {0.5}), 1, 0), T({1, 1, 2, 2}, {-3.5, -3.5, -3.5, -3.5}), kPage);
  // Stride 2, padding 1: window (i, j) covers rows 2i−1..2i and columns 2j−1..2j, so
  // w[0][0] meets x[2i−1][2j−1] (zero padding when −1) and w[1][1] meets x[2i][2j].
  check_values("ex05 conv2d_forward 3x3 image, 2x2 kernel, stride 2, padding 1, bias 0.5",
               conv2d_forward(x3x3(), w2x2(), T({1}, {0.5}), 2, 1),
               T({1, 1, 2, 2}, {0 - 1 + 0.5, 0 - 3 + 0.5, 0 - 7 + 0.5, 5 - 9 + 0.5}), kPage);
}

TEST_CASE("ex05 (C1) conv2d_forward by hand: channels are summed, each output has its bias, images are separate",
          "[exercise][ex05][float]") {
  // N = 2 images, C = 2 channels of 2×2, O = 2 outputs with 1×1 kernels.
  const Tensor x = T({2, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8,    // image 0: channel 0, channel 1
                                    1, 1, 1, 1, 0, 0, 0, 0});  // image 1
  const Tensor w = T({2, 2, 1, 1}, {1, 1,                      // output 0: channel 0 + channel 1
                                    2, -1});                   // output 1: 2·channel 0 − channel 1
  const Tensor b = T({2}, {0, 10});
  check_values("ex05 conv2d_forward N=2, C=2, O=2, 1x1 kernels", conv2d_forward(x, w, b, 1, 0),
               T({2, 2, 2, 2}, {6, 8, 10, 12, 7, 8, 9, 10,     // image 0: output 0, output 1
                                1, 1, 1, 1, 12, 12, 12, 12}),  // image 1
               kPage);
}

TEST_CASE("ex05 (C1) conv2d_forward by hand: a 2x1 kernel on a 2x3 image, stride 2, padding 1",
          "[exercise][ex05][float]") {
  // OH = (2 + 2 − 2)/2 + 1 = 2, OW = (3 + 2 − 1)/2 + 1 = 3;
  // y[i][j] = x[2i−1][2j−1] − x[2i][2j−1] + 0.25 (terms in the padding are 0).
  const Tensor x = T({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor w = T({1, 1, 2, 1}, {1, -1});
  check_values("ex05 conv2d_forward 2x3 image, 2x1 kernel, stride 2, padding 1, bias 0.25",
               conv2d_forward(x, w, T({1}, {0.25}), 2, 1), T({1, 1, 2, 3}, {0.25, -1.75, 0.25, 0.25, 5.25, 0.25}),
               kPage);
}

TEST_CASE("ex05 conv2d_forward agrees with the fast convolution on random batches", "[exercise][ex05][float]") {
  struct Case {
    Shape x, w;
    int stride, padding;
  };
  const Case cases[] = {
      {{1, 1, 4, 4}, {2, 1, 3, 3}, 1, 0}, {{2, 3, 5, 5}, {4, 3, 3, 3}, 2, 1}, {{2, 2, 7, 6}, {3, 2, 2, 3}, 2, 1}};
  for (const Case& c : cases) {
    const Tensor x = gcam_test::random_tensor(c.x, 51), w = gcam_test::random_tensor(c.w, 52);
    const Tensor b = gcam_test::random_tensor({c.w[0]}, 53);
    check_values("ex05 conv2d_forward x " + shape_string(c.x) + ", w " + shape_string(c.w) + ", stride " +
                     std::to_string(c.stride) + ", padding " + std::to_string(c.padding),
                 conv2d_forward(x, w, b, c.stride, c.padding),
                 fast::conv2d_forward(x, w, b, c.stride, c.padding, nullptr), kPage, kFloat ? 1e-5 : 1e-12);
  }
}
