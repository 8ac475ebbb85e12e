// input_checks.hpp — checks shared by the Grad-CAM steps (private to src/gradcam/).
#pragma once

#include <string>

#include "gcam/core/tensor.hpp"

namespace gcam {

// "NaN", "+Inf" or "-Inf".
const char* non_finite_name(Scalar v);
// Throws NumericError naming the image and class of the first non-finite logit.
void check_logits(const Tensor& logits, const std::string& architecture);

}  // namespace gcam
