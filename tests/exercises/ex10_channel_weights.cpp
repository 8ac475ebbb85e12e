// Exercise ex10 checks: channel_weights, Grad-CAM eq. (8).
// docs/exercises/ex10-channel-weights.md
#include "exercise_checks.hpp"
#include "gcam/gradcam/gradcam.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex10-channel-weights.md, eq. (8) in include/gcam/gradcam/gradcam.hpp";
}  // namespace

TEST_CASE("ex10 eq. (8) channel_weights by hand: the spatial mean of each gradient map", "[exercise][ex10][float]") {
  // One image, two channels of 2×2.
  check_values("ex10 channel_weights of one image, two 2x2 channels",
               channel_weights(T({1, 2, 2, 2}, {1, 2, 3, 4, -1, -1, 1, 5})), T({1, 2}, {10.0 / 4, 4.0 / 4}), kPage);
}

TEST_CASE("ex10 eq. (8) channel_weights by hand: a batch of 2x3 maps (Z = h * w = 6)", "[exercise][ex10][float]") {
  const Tensor g = T({2, 3, 2, 3}, {1,  2,  3,  4,  5,  6,    // image 0, channel 0: mean 3.5
                                    -2, -2, -2, -2, -2, -2,   // channel 1: −2
                                    0,  0,  0,  0,  0,  6,    // channel 2: 1
                                    6,  5,  4,  3,  2,  1,    // image 1, channel 0: 3.5
                                    1,  -1, 1,  -1, 1,  -1,   // channel 1: 0
                                    12, 0,  0,  0,  0,  0});  // channel 2: 2
  check_values("ex10 channel_weights of (2, 3, 2, 3) gradients (result (N, K) = (2, 3))", channel_weights(g),
               T({2, 3}, {3.5, -2, 1, 3.5, 0, 2}), kPage);
}
