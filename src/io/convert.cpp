// Image conversions (see convert.hpp). New bytes are computed in double and
// rounded once, at the end (to_byte), so they do not depend on the build's
// Scalar.
#include "gcam/io/convert.hpp"

#include <stdexcept>
#include <string>

#include "gcam/core/bilinear.hpp"
#include "gcam/core/error.hpp"

namespace gcam {

// Rounds a value in [0, 255] to the nearest byte (halves go up).
static std::uint8_t to_byte(double v) {
  if (!(v > 0)) return 0;  // also NaN
  if (v >= 255) return 255;
  return static_cast<std::uint8_t>(v + 0.5);
}

Image to_grayscale(const Image& image) {
  check_image("to_grayscale", image);
  Image gray;
  gray.width = image.width;
  gray.height = image.height;
  gray.channels = 1;
  const std::size_t n = static_cast<std::size_t>(image.width) * image.height;
  gray.pixels.resize(n);
  const int c = image.channels;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = &image.pixels[i * c];
    // Channels 1 and 2 are gray (+ alpha): copy. 3 and 4 are RGB (+ alpha).
    gray.pixels[i] = c < 3 ? p[0] : to_byte(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]);
  }
  return gray;
}

Image resize_bilinear(const Image& image, int width, int height) {
  check_image("resize_bilinear", image);
  if (width < 1 || height < 1 || static_cast<std::size_t>(width) * static_cast<std::size_t>(height) > kMaxImagePixels)
    throw std::invalid_argument("resize_bilinear: target size " + std::to_string(width) + "x" + std::to_string(height) +
                                " must be at least 1x1 and at most " + std::to_string(kMaxImagePixels) + " pixels");
  Image out;
  out.width = width;
  out.height = height;
  out.channels = image.channels;
  out.pixels.resize(static_cast<std::size_t>(width) * height * image.channels);
  for (int y = 0; y < height; ++y) {
    const AxisSample<double> sy = bilinear_axis_sample<double>(y, image.height, height);
    for (int x = 0; x < width; ++x) {
      const AxisSample<double> sx = bilinear_axis_sample<double>(x, image.width, width);
      for (int c = 0; c < image.channels; ++c) {
        const double top = (1 - sx.t) * image.at(sy.lo, sx.lo, c) + sx.t * image.at(sy.lo, sx.hi, c);
        const double bottom = (1 - sx.t) * image.at(sy.hi, sx.lo, c) + sx.t * image.at(sy.hi, sx.hi, c);
        out.at(y, x, c) = to_byte((1 - sy.t) * top + sy.t * bottom);
      }
    }
  }
  return out;
}

Image tensor_to_image(const Tensor& t) {
  const Shape& s = t.shape();
  const bool chw = s.size() == 3, batch_of_one = s.size() == 4 && s[0] == 1;
  const std::size_t off = batch_of_one ? 1 : 0;
  if (!(chw || batch_of_one) || (s[off] != 1 && s[off] != 3) || s[off + 1] < 1 || s[off + 2] < 1)
    throw ShapeError("tensor_to_image: need a (C, H, W) or (1, C, H, W) tensor with C = 1 or 3, got " +
                     shape_string(s));
  Image image;
  image.channels = s[off];
  image.height = s[off + 1];
  image.width = s[off + 2];
  image.pixels.resize(t.size());
  for (int c = 0; c < image.channels; ++c)
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x) {
        const double v = t[(static_cast<std::size_t>(c) * image.height + y) * image.width + x];
        image.at(y, x, c) = to_byte(255.0 * v);
      }
  return image;
}

Tensor image_to_tensor(const Image& image) {
  check_image("image_to_tensor", image);
  Tensor t({image.channels, image.height, image.width});
  for (int c = 0; c < image.channels; ++c)
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        t[(static_cast<std::size_t>(c) * image.height + y) * image.width + x] =
            static_cast<Scalar>(image.at(y, x, c)) / Scalar(255);
  return t;
}

}  // namespace gcam
