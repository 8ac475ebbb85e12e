// explain_input.hpp — the image `gradcam explain` explains, as the model sees
// it: from a data set (--data fashion-test --index 3) or an image file
// (--image photo.png), converted to the model's channels and size, every
// conversion reported.
#pragma once

#include <string>

#include "args.hpp"
#include "gcam/core/image.hpp"
#include "gcam/core/tensor.hpp"

namespace gcam::cli {

struct InputImage {
  Image picture;       // 8-bit pixels of the model's input size (for overlays)
  Tensor batch;        // (1, C, H, W), what the model reads
  std::string source;  // "fashion-test #3" or the file's path
};

// How a file of another aspect ratio is fitted to the model's input.
enum class Fit {
  Stretch,    // resized to H × W: shapes are distorted (a note says so)
  Letterbox,  // scaled to fit inside H × W, the rest padded with black
};
// "stretch" or "letterbox"; throws UsageError (with "did you mean") otherwise.
Fit fit_by_name(const std::string& name);

// Reads --image or --data/--index (exactly one was checked before).
InputImage input_image(const Args& args, const Shape& input_shape, Fit fit);

// `image` converted to the model's channels (1 or 3) and size, as the model
// sees it; with `say`, each conversion is printed.
Image to_model_input(Image image, const Shape& input_shape, Fit fit, bool say);

// `image` scaled (bilinearly) to fit inside width × height keeping its aspect
// ratio, centred on black.
Image letterbox(const Image& image, int width, int height);

}  // namespace gcam::cli
