// Exercise ex12 checks: upsample_bilinear with half-pixel centres (Grad-CAM step 4).
// docs/exercises/ex12-upsample.md
#include "exercise_checks.hpp"
#include "gcam/gradcam/gradcam.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage =
    "docs/exercises/ex12-upsample.md (step 4 in include/gcam/gradcam/gradcam.hpp, docs/gradcam.md)";
}  // namespace

TEST_CASE("ex12 upsample_bilinear 2x2 -> 4x4 gives PyTorch's align_corners=False values", "[exercise][ex12][float]") {
  // Output pixel i samples (i + ½)·2/4 − ½ = −0.25, 0.25, 0.75, 1.25 → clamped to 0, 0.25, 0.75, 1.
  check_values("ex12 upsample_bilinear [[0, 1], [2, 3]] to 4x4", upsample_bilinear(T({1, 1, 2, 2}, {0, 1, 2, 3}), 4, 4),
               T({1, 1, 4, 4}, {0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3}),
               kPage);
}

TEST_CASE("ex12 upsample_bilinear: the same size is the identity, a 1x1 map becomes constant",
          "[exercise][ex12][float]") {
  const Tensor m = T({1, 1, 2, 3}, {0, 1, 4, -1, 2, 5});
  check_values("ex12 upsample_bilinear of a 2x3 map to 2x3", upsample_bilinear(m, 2, 3), m, kPage);
  check_values("ex12 upsample_bilinear of a 1x1 map [7] to 3x2", upsample_bilinear(T({1, 1, 1, 1}, {7}), 3, 2),
               T({1, 1, 3, 2}, {7, 7, 7, 7, 7, 7}), kPage);
}

TEST_CASE("ex12 upsample_bilinear: rows and columns scale separately; images and channels are separate",
          "[exercise][ex12][float]") {
  // Columns 3 → 5 sample −0.2, 0.4, 1.0, 1.6, 2.2 → [0, 0.4, 1, 2.8, 4] (2.2 is clamped to the last centre).
  check_values("ex12 upsample_bilinear of [[0, 1, 4]] to 1x5", upsample_bilinear(T({1, 1, 1, 3}, {0, 1, 4}), 1, 5),
               T({1, 1, 1, 5}, {0, 0.4, 1, 2.8, 4}), kPage);
  // Rows 2 → 4, one column → 3: every output row is constant.
  check_values("ex12 upsample_bilinear of [[0], [4]] to 4x3", upsample_bilinear(T({1, 1, 2, 1}, {0, 4}), 4, 3),
               T({1, 1, 4, 3}, {0, 0, 0, 1, 1, 1, 3, 3, 3, 4, 4, 4}), kPage);
  // Shrinking 4 → 2 samples 0.5 and 2.5: the means of neighbouring pairs.
  check_values("ex12 upsample_bilinear of [[0, 1, 2, 3]] to 1x2",
               upsample_bilinear(T({1, 1, 1, 4}, {0, 1, 2, 3}), 1, 2), T({1, 1, 1, 2}, {0.5, 2.5}), kPage);
  // Two images of two channels each (1×2 → 1×4): [a, b] becomes [a, ¾a + ¼b, ¼a + ¾b, b].
  check_values("ex12 upsample_bilinear of (2, 2, 1, 2) maps to 1x4",
               upsample_bilinear(T({2, 2, 1, 2}, {0, 4, 8, 0, 1, 1, -4, 4}), 1, 4),
               T({2, 2, 1, 4}, {0, 1, 3, 4, 8, 6, 2, 0, 1, 1, 1, 1, -4, -2, 2, 4}), kPage);
}
