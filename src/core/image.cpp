// The consistency check of an Image, shared by every function that takes one
// from its caller (the encoder and the conversions), so they all refuse a bad
// one with the same words.
#include "gcam/core/image.hpp"

#include <stdexcept>
#include <string>

namespace gcam {

void check_image(const char* op, const Image& image) {
  if (image.width < 1 || image.height < 1 || image.channels < 1 || image.channels > 4)
    throw std::invalid_argument(std::string(op) + ": image of " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + " pixels with " + std::to_string(image.channels) +
                                " channels; need a positive size and 1 to 4 channels");
  const std::size_t expected = static_cast<std::size_t>(image.width) * image.height * image.channels;
  if (image.pixels.size() != expected)
    throw std::invalid_argument(std::string(op) + ": a " + std::to_string(image.width) + "x" +
                                std::to_string(image.height) + "x" + std::to_string(image.channels) + " image needs " +
                                std::to_string(expected) + " bytes, but has " + std::to_string(image.pixels.size()));
}

}  // namespace gcam
