// Exercise ex11 checks: weighted_combination and relu_map (Grad-CAM step 3).
// docs/exercises/ex11-weighted-map.md
#include "exercise_checks.hpp"
#include "gcam/core/error.hpp"
#include "gcam/gradcam/gradcam.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex11-weighted-map.md (step 3 in include/gcam/gradcam/gradcam.hpp)";
}  // namespace

TEST_CASE("ex11 weighted_combination by hand", "[exercise][ex11][float]") {
  // α = [2, −1]; A^0 = [1, 2, 3], A^1 = [4, 1, 0] (1×3 maps).
  check_values("ex11 weighted_combination, one image, K = 2, 1x3 maps",
               weighted_combination(T({1, 2}, {2, -1}), T({1, 2, 1, 3}, {1, 2, 3, 4, 1, 0})),
               T({1, 1, 1, 3}, {2 - 4, 4 - 1, 6 - 0}), kPage);
  // Each image uses its own weights.
  const Tensor alpha = T({2, 2}, {1, -1, 0.5, 2});
  const Tensor A = T({2, 2, 1, 2}, {1, 2, 3, 4,     // image 0: A^0, A^1
                                    1, 1, -1, 2});  // image 1
  check_values("ex11 weighted_combination, two images with their own weights (result (N, 1, h, w))",
               weighted_combination(alpha, A), T({2, 1, 1, 2}, {-2, -2, -1.5, 4.5}), kPage);
}

TEST_CASE("ex11 weighted_combination refuses weights that do not fit the activations", "[exercise][ex11][float]") {
  INFO("weights (1, 3) for activations (1, 2, 1, 3) must throw ShapeError. Read " << kPage);
  CHECK_THROWS_AS(weighted_combination(Tensor({1, 3}), Tensor({1, 2, 1, 3})), ShapeError);
  INFO("weights (2, 2) for activations (1, 2, 1, 3) must throw ShapeError");
  CHECK_THROWS_AS(weighted_combination(Tensor({2, 2}), Tensor({1, 2, 1, 3})), ShapeError);
}

TEST_CASE("ex11 relu_map by hand: negative evidence is dropped, the shape is kept", "[exercise][ex11][float]") {
  check_values("ex11 relu_map of [-2, 3, 6]", relu_map(T({1, 1, 1, 3}, {-2, 3, 6})), T({1, 1, 1, 3}, {0, 3, 6}), kPage);
  check_values("ex11 relu_map of a (2, 1, 2, 2) map", relu_map(T({2, 1, 2, 2}, {-1, 0, 2.5, -0.001, 1, 1, -1, 0})),
               T({2, 1, 2, 2}, {0, 0, 2.5, 0, 1, 1, 0, 0}), kPage);
}
