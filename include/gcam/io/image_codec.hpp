// image_codec.hpp — image files to Image and back, through stb_image and
// stb_image_write.
//
// Image files come from anywhere, so decoding never trusts them: sizes are
// checked before anything is allocated, and the inputs known to trip up the
// stb version this project builds with are refused first, each with a
// message that says what is wrong with the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/image.hpp"

namespace gcam {

// load_image refuses image files larger than this (an uncompressed 4096 ×
// 4096 RGBA bitmap plus 1 MiB of headers), before reading them into memory.
constexpr std::uintmax_t kMaxImageFileBytes = 4 * std::uintmax_t{kMaxImagePixels} + (1u << 20);

// Decodes PNG, JPEG, BMP, PGM/PPM, TGA or GIF (first frame) with stb_image,
// keeping the file's own channel count (1 to 4; 16-bit PNGs become 8-bit).
// Throws FormatError when the file is missing, larger than
// kMaxImageFileBytes, not a decodable image of these formats (with
// stb_image's reason), has a zero size, or has more than kMaxImagePixels
// pixels (checked from the header, before decoding).
Image load_image(const std::string& path);

// The same decoder on a file's bytes held in memory (load_image reads the
// file and calls this; the fuzz target tests/fuzz/fuzz_image.cpp calls it
// directly). `name` starts every error message.
Image decode_image(const std::vector<std::uint8_t>& bytes, const std::string& name);

// The PNG file's bytes for `image`, held in memory (an HTML report inlines
// them). Throws like save_png.
std::string encode_png(const Image& image);

// Writes `image` as a PNG file (atomically). Throws std::invalid_argument if
// the image is inconsistent (pixel count, 1..4 channels), std::runtime_error
// if encoding or writing fails.
void save_png(const std::string& path, const Image& image);

}  // namespace gcam
