// targets.hpp — which gradients a fast backward call must produce.
#pragma once

namespace gcam {
namespace fast {

// The others are neither computed nor touched (their tensors may be empty):
// Grad-CAM needs no weight gradients, and training needs no gradient for the
// input images.
struct Targets {
  bool input = true, weight = true, bias = true;
};

}  // namespace fast
}  // namespace gcam
