// Encoding images as PNG files with stb_image_write (see image_codec.hpp);
// decoding is in image_codec.cpp.
#include <stb/stb_image_write.h>

#include <stdexcept>
#include <string>

#include "gcam/io/files.hpp"
#include "gcam/io/image_codec.hpp"

namespace gcam {

// stb_image_write hands the encoded bytes over in pieces; collect them.
static void append_to_string(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string encode_png(const Image& image) {
  check_image("encode_png", image);
  std::string png;
  const int stride = image.width * image.channels;
  if (!stbi_write_png_to_func(append_to_string, &png, image.width, image.height, image.channels, image.pixels.data(),
                              stride))
    throw std::runtime_error("encode_png: encoding failed (out of memory?)");
  return png;
}

void save_png(const std::string& path, const Image& image) { write_file_atomically(path, encode_png(image)); }

}  // namespace gcam
