// image_io.hpp — reading and writing files: images, .npy arrays, gzip data.
//
// Everything that touches the disk lives here, so the rest of the framework
// works on in-memory values only:
//  - Image: 8-bit pixels as image files store them (interleaved, row-major:
//    the byte of channel c at row y, column x is pixels[(y * width + x) *
//    channels + c]). Tensors, in contrast, are planar (C, H, W) Scalars.
//  - load_image / decode_image / save_png go through stb_image and
//    stb_image_write.
//  - save_npy writes a Tensor in NumPy's .npy format, so results can be
//    inspected with numpy.load in Python.
//  - gunzip decompresses a .gz file in memory (the datasets ship gzipped).
//  - write_file_atomically: every output file of the project goes through it,
//    so an interrupted run never leaves a half-written file behind.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "gcam/core/tensor.hpp"

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

// load_image refuses images with more pixels than this (4096 × 4096): a
// corrupt or hostile header could otherwise make us allocate gigabytes.
constexpr std::size_t kMaxImagePixels = std::size_t{4096} * 4096;

// ... and image files larger than this (an uncompressed 4096 × 4096 RGBA
// bitmap plus 1 MiB of headers), before reading them into memory.
constexpr std::uintmax_t kMaxImageFileBytes = 4 * std::uintmax_t{kMaxImagePixels} + (1u << 20);

// read_file_bytes' default limit: no file this program reads is near 2 GiB.
constexpr std::uintmax_t kMaxFileBytes = 0x7fffffff;

// ---- files -------------------------------------------------------------------

// The whole content of a file. Throws FormatError naming the path if it does
// not exist, is a folder or not a regular file (a pipe would block, a device
// never end), has more than `max_bytes` bytes (checked before allocating), or
// cannot be read.
std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::uintmax_t max_bytes = kMaxFileBytes);

// Replaces the file `path` with `bytes` in one step: the bytes go to a
// temporary file in the same folder (path + ".tmp.<pid>.<n>"), flushed to the
// disk (fsync), then renamed over `path`. Readers see either the old file or
// the complete new one, never a partial file, even if the process is killed
// or the power fails. On failure the temporary file is removed and
// std::runtime_error naming the path is thrown (the old file is untouched).
// A process killed (SIGKILL) during the write can leave its temporary file
// behind: nothing reads such files, and `path` is intact.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Same, but `write` streams the content itself (for large outputs that should
// not be built as one string first). If `write` throws, the temporary file is
// removed and its exception propagates unchanged.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// ---- images ------------------------------------------------------------------

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

// Writes `image` as a PNG file (atomically). Throws std::invalid_argument if
// the image is inconsistent (pixel count, 1..4 channels), std::runtime_error
// if encoding or writing fails.
void save_png(const std::string& path, const Image& image);

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

// ---- arrays ------------------------------------------------------------------

// Writes `t` as a NumPy .npy file (format version 1.0), atomically: dtype
// '<f4' (float32, little-endian, whatever gcam::Scalar is), C order, shape
// t.shape(). numpy.load(path) returns the same array.
void save_npy(const std::string& path, const Tensor& t);

// The bytes save_npy writes (exposed so tests can inspect the format).
std::string npy_bytes(const Tensor& t);

// ---- gzip --------------------------------------------------------------------

// CRC-32 as used by gzip and PNG (reflected polynomial 0xEDB88320, initial
// value and final xor 0xFFFFFFFF). crc32 of "123456789" is 0xCBF43926.
// `crc` continues a previous result, so data can be fed in pieces.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

// True if `bytes` starts with the gzip magic number 1f 8b.
bool is_gzip(const std::vector<std::uint8_t>& bytes);

// Decompresses a single-member gzip file (RFC 1952) held in memory. The header
// may carry the optional fields FEXTRA, FNAME, FCOMMENT and FHCRC (skipped,
// the header CRC is checked). The deflate data is inflated with stb_image's
// decoder into a buffer of exactly the size the trailer announces, and both
// the size and the CRC-32 are verified. Throws FormatError naming
// `name_for_errors` on any problem (bad magic, unknown method, truncation,
// corrupt data, size or CRC mismatch). Not supported: files over 2 GiB and
// several gzip members concatenated into one file (they fail the checks).
std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& file, const std::string& name_for_errors);

}  // namespace gcam
