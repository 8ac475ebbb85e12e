// image.hpp — the Image type: 8-bit pixels as image files store them.
//
// Its own header so that code which only draws or converts pixels (heatmaps,
// datasets) does not depend on the file codecs. Pixels are interleaved and
// row-major: the byte of channel c at row y, column x is pixels[(y * width +
// x) * channels + c]. Tensors, in contrast, are planar (C, H, W) Scalars.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace gcam {

// An 8-bit image with 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA) channels.
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;  // width * height * channels bytes, interleaved

  // The byte of `channel` at (row, col); no bounds check.
  std::uint8_t& at(int row, int col, int channel) {
    return pixels[(static_cast<std::size_t>(row) * width + col) * channels + channel];
  }
  std::uint8_t at(int row, int col, int channel) const {
    return pixels[(static_cast<std::size_t>(row) * width + col) * channels + channel];
  }
};

// The largest image this program reads, writes or makes (4096 × 4096
// pixels): a corrupt or hostile header could otherwise make us allocate
// gigabytes.
constexpr std::size_t kMaxImagePixels = std::size_t{4096} * 4096;

// Throws std::invalid_argument, starting with `op`, unless the fields agree:
// a positive size, 1 to 4 channels and width * height * channels bytes.
void check_image(const char* op, const Image& image);

}  // namespace gcam
