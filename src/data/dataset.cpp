// Dataset: byte storage, batch extraction and the consistency check.
#include "gcam/data/dataset.hpp"

#include <stdexcept>

#include "gcam/core/error.hpp"

namespace gcam {

std::size_t Dataset::image_bytes() const { return image_shape.size() == 3 ? numel(image_shape) : 0; }

std::size_t Dataset::mask_bytes() const {
  return image_shape.size() == 3 ? static_cast<std::size_t>(image_shape[1]) * image_shape[2] : 0;
}

// Throws std::out_of_range unless index < size.
static void check_index(const Dataset& data, std::size_t index) {
  if (index >= data.size())
    throw std::out_of_range("dataset '" + data.name + "': index " + std::to_string(index) + " out of range (it has " +
                            std::to_string(data.size()) + " images)");
}

Tensor Dataset::images(const std::vector<std::size_t>& indices) const {
  Tensor batch;
  images(indices, batch);
  return batch;
}

void Dataset::images(const std::vector<std::size_t>& indices, Tensor& batch) const {
  const std::size_t n = image_bytes();
  Shape shape{static_cast<int>(indices.size())};
  shape.insert(shape.end(), image_shape.begin(), image_shape.end());
  batch.resize(shape);  // every element is written below
  for (std::size_t b = 0; b < indices.size(); ++b) {
    check_index(*this, indices[b]);
    const std::uint8_t* src = &pixels[indices[b] * n];
    Scalar* dst = batch.data() + b * n;
    for (std::size_t e = 0; e < n; ++e) dst[e] = static_cast<Scalar>(src[e]) / Scalar(255);
  }
}

std::vector<int> Dataset::labels_of(const std::vector<std::size_t>& indices) const {
  std::vector<int> out;
  out.reserve(indices.size());
  for (std::size_t i : indices) {
    check_index(*this, i);
    out.push_back(labels[i]);
  }
  return out;
}

const std::uint8_t* Dataset::mask(std::size_t index) const {
  check_index(*this, index);
  if (!has_masks()) throw std::logic_error("dataset '" + name + "' has no masks (only synthetic datasets do)");
  return &masks[index * mask_bytes()];
}

void Dataset::check() const {
  const auto fail = [this](const std::string& what) { return FormatError("dataset '" + name + "': " + what); };
  if (image_shape.size() != 3 || image_shape[0] < 1 || image_shape[1] < 1 || image_shape[2] < 1)
    throw fail("image shape " + shape_string(image_shape) + " is not a positive (C, H, W)");
  if (class_names.empty()) throw fail("has no class names");
  if (pixels.size() != size() * image_bytes())
    throw fail(std::to_string(size()) + " labels need " + std::to_string(size() * image_bytes()) +
               " pixel bytes, found " + std::to_string(pixels.size()));
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] < 0 || labels[i] >= classes())
      throw fail("label " + std::to_string(labels[i]) + " of image " + std::to_string(i) + " is outside 0.." +
                 std::to_string(classes() - 1));
  if (has_masks() && masks.size() != size() * mask_bytes())
    throw fail("masks have " + std::to_string(masks.size()) + " bytes, need " + std::to_string(size() * mask_bytes()));
  for (std::uint8_t m : masks)
    if (m > 1) throw fail("mask value " + std::to_string(m) + " is not 0 or 1");
}

Image dataset_image(const Dataset& data, std::size_t index) {
  check_index(data, index);
  const int c = data.image_shape[0];
  if (c != 1 && c != 3)
    throw ShapeError("dataset_image: images of shape " + shape_string(data.image_shape) +
                     " have neither 1 nor 3 channels");
  Image image;
  image.channels = c;
  image.height = data.image_shape[1];
  image.width = data.image_shape[2];
  image.pixels.resize(data.image_bytes());
  const std::uint8_t* src = &data.pixels[index * data.image_bytes()];
  // Planar (C, H, W) → interleaved (H, W, C).
  for (int ch = 0; ch < c; ++ch)
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        image.at(y, x, ch) = src[(static_cast<std::size_t>(ch) * image.height + y) * image.width + x];
  return image;
}

Image mask_image(const Dataset& data, std::size_t index) {
  const std::uint8_t* m = data.mask(index);
  Image image;
  image.channels = 1;
  image.height = data.image_shape[1];
  image.width = data.image_shape[2];
  image.pixels.resize(data.mask_bytes());
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = m[i] ? 255 : 0;
  return image;
}

}  // namespace gcam
