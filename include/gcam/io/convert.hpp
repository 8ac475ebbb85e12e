// convert.hpp — images to gray, to another size, and to and from tensors.
//
// Models take planar (C, H, W) tensors in [0, 1]; image files give
// interleaved bytes of any size. These conversions sit between the two, with
// the conventions of the usual Python tools, so that a map computed here can
// be compared with one computed there.
#pragma once

#include "gcam/core/image.hpp"
#include "gcam/core/tensor.hpp"

namespace gcam {

// One gray channel: luminance 0.299·R + 0.587·G + 0.114·B (ITU-R BT.601,
// the weights PIL's convert("L") uses), rounded to the nearest byte. Alpha
// is dropped; a gray image is returned as is (without its alpha).
Image to_grayscale(const Image& image);

// Bilinear resize to width × height with the half-pixel-centre convention
// (PyTorch's align_corners=False): output pixel x samples the input at
// (x + 0.5) · in_width / width − 0.5, clamped to the image. Values are rounded
// to the nearest byte. Throws std::invalid_argument for sizes < 1 or an
// output larger than kMaxImagePixels.
Image resize_bilinear(const Image& image, int width, int height);

// A (C, H, W) or (1, C, H, W) tensor with values in [0, 1] (C = 1 or 3) as an
// Image: byte = round(255 · clamp(v, 0, 1)); NaN becomes 0. Throws ShapeError
// for other shapes.
Image tensor_to_image(const Tensor& t);

// The inverse: a (C, H, W) tensor with values byte / 255 (alpha included if
// present; use to_grayscale first for a 1-channel model input).
Tensor image_to_tensor(const Image& image);

}  // namespace gcam
