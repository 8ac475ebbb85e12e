// The checks decode_image makes before stb_image sees a file (see
// image_guards.hpp). Each one stands in front of a behaviour of stb_image
// 2.27 (Debian 12's libstb-dev) that an untrusted file could trigger, and
// the comment of each says which.
#include "image_guards.hpp"

#include <climits>
#include <cstring>
#include <memory>

#include "gcam/core/image.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/gzip.hpp"
#include "stb.hpp"

namespace gcam {

FormatError image_error(const std::string& name, const std::string& what) {
  return FormatError("load_image: '" + name + "' " + what);
}

FormatError decode_error(const std::string& name, const std::string& what) {
  return FormatError("load_image: cannot decode '" + name + "': " + what);
}

// Where a JPEG's segments start (just after its SOI marker FF D8), or 0 if
// the bytes do not start with SOI. Like stb_image, this allows fill bytes
// (more FFs) before the D8.
static std::size_t jpeg_start(const std::vector<std::uint8_t>& b) {
  std::size_t pos = 0;
  while (pos < b.size() && b[pos] == 0xFF) ++pos;
  return pos >= 1 && pos < b.size() && b[pos] == 0xD8 ? pos + 1 : 0;
}

const char* image_format(const std::vector<std::uint8_t>& b) {
  const auto starts = [&b](const char* magic, std::size_t n) {
    return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
  };
  if (starts("\x89PNG\r\n\x1a\n", 8)) return "PNG";
  if (jpeg_start(b) != 0) return "JPEG";
  if (starts("GIF87a", 6) || starts("GIF89a", 6)) return "GIF";
  if (starts("BM", 2)) return "BMP";
  if (starts("P5", 2) || starts("P6", 2)) return "PGM/PPM";
  return nullptr;
}

// The size a PNG, GIF or BMP header announces, read here rather than by
// stb_image: stb refuses very large or empty images with a vague reason, and
// the message should say "zero size" or "above the limit". False when the
// format keeps its size elsewhere (JPEG, PGM/PPM, TGA) or the header is cut.
static bool announced_size(const std::vector<std::uint8_t>& b, const char* format, std::uint64_t& width,
                           std::uint64_t& height) {
  const auto be32 = [&b](std::size_t at) { return std::uint64_t{read_u32_be(&b[at])}; };
  const auto le16 = [&b](std::size_t at) { return std::uint64_t{read_u16_le(&b[at])}; };
  const auto le32s = [&b](std::size_t at) {  // a signed 32-bit little-endian value, as its magnitude
    const std::uint64_t v = read_u32_le(&b[at]);
    return v & 0x80000000u ? 0x100000000u - v : v;
  };
  if (!format) return false;
  const std::string f = format;
  if (f == "PNG" && b.size() >= 24 && std::memcmp(&b[12], "IHDR", 4) == 0) {
    width = be32(16), height = be32(20);
    return true;
  }
  if (f == "GIF" && b.size() >= 10) {
    width = le16(6), height = le16(8);
    return true;
  }
  if (f == "BMP" && b.size() >= 26) {
    if (le16(14) == 12 && le16(16) == 0) {  // the old 12-byte header: 16-bit sizes
      width = le16(18), height = le16(20);
    } else {
      width = le32s(18), height = le32s(22);  // a negative height means top-down rows
    }
    return true;
  }
  return false;
}

// stb_image 2.27 (Debian 12's libstb-dev) builds a JPEG Huffman table
// without checking that its 16 code counts add up to at most 256, and then
// writes past the end of the table (stb_image.h, stbi__build_huffman; found
// by tests/fuzz/fuzz_image.cpp, checked upstream since 2.28). So the JPEG's
// segments are walked here first, as stb will read them, and such a table is
// refused before stb sees it. Bytes past the end count as 0, as for stb.
static void check_jpeg_tables(const std::vector<std::uint8_t>& b, const std::string& name) {
  const auto at = [&b](std::size_t i) -> unsigned { return i < b.size() ? b[i] : 0; };
  std::size_t pos = jpeg_start(b);
  if (pos == 0) return;  // not a JPEG
  while (pos < b.size()) {
    if (b[pos] != 0xFF) {  // stb skips bytes between segments, looking for the next marker
      ++pos;
      continue;
    }
    while (pos < b.size() && b[pos] == 0xFF) ++pos;  // fill bytes
    const unsigned marker = at(pos++);
    if (marker == 0xD9) return;                                                            // EOI
    if (marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;  // no length
    const std::size_t length = at(pos) << 8 | at(pos + 1);
    if (length < 2) return;
    if (marker == 0xC4) {  // DHT: tables of (class/id, 16 counts, the symbols)
      std::size_t p = pos + 2;
      long left = static_cast<long>(length) - 2;
      while (left > 0) {
        std::size_t codes = 0;
        for (std::size_t i = 0; i < 16; ++i) codes += at(p + 1 + i);
        if (codes > 256)
          throw image_error(name, "is a corrupt JPEG: a Huffman table has " + std::to_string(codes) +
                                      " codes, at most 256 are possible");
        p += 17 + codes;
        left -= static_cast<long>(17 + codes);
      }
    }
    pos += length;
    if (marker == 0xDA) {  // SOS: entropy-coded data up to the next marker (FF 00 and RSTn are data)
      while (pos + 1 < b.size() && !(b[pos] == 0xFF && b[pos + 1] != 0 && (b[pos + 1] < 0xD0 || b[pos + 1] > 0xD7)))
        ++pos;
    }
  }
}

// The width and height of a PGM/PPM ("P5"/"P6") header: its first two
// numbers, after whitespace and '#' comments. stb_image 2.27 accumulates each
// number in an int without an overflow check (undefined behaviour, found by
// tests/fuzz/fuzz_image.cpp), so a number of 10 or more digits is refused
// here, before stb reads it. Returns false if a number is that long; width
// and height stay 0 when the header ends before them.
static bool pnm_size(const std::vector<std::uint8_t>& b, std::uint64_t& width, std::uint64_t& height) {
  std::size_t pos = 2;
  std::uint64_t numbers[3] = {0, 0, 0};
  for (std::uint64_t& number : numbers) {
    for (;;) {  // whitespace and comments, as stb skips them
      while (pos < b.size() && std::strchr(" \t\n\v\f\r", b[pos]) && b[pos] != 0) ++pos;
      if (pos >= b.size() || b[pos] != '#') break;
      while (pos < b.size() && b[pos] != '\n' && b[pos] != '\r') ++pos;
    }
    std::size_t digits = 0;
    for (; pos < b.size() && b[pos] >= '0' && b[pos] <= '9'; ++pos, ++digits)
      if (digits < 10) number = 10 * number + (b[pos] - '0');
    if (digits >= 10) return false;
  }
  width = numbers[0], height = numbers[1];
  return true;
}

// The size of a PNG's filtered image data: every row of every pass (one pass,
// or Adam7's seven when interlaced) is a filter-type byte and packed pixels.
static std::uint64_t png_filtered_bytes(std::uint64_t width, std::uint64_t height, std::uint64_t bits_per_pixel,
                                        bool interlaced) {
  const auto pass_bytes = [&](std::uint64_t x0, std::uint64_t y0, std::uint64_t dx, std::uint64_t dy) {
    const std::uint64_t w = width > x0 ? (width - x0 + dx - 1) / dx : 0;
    const std::uint64_t h = height > y0 ? (height - y0 + dy - 1) / dy : 0;
    return w == 0 ? 0 : h * (1 + (w * bits_per_pixel + 7) / 8);
  };
  if (!interlaced) return pass_bytes(0, 0, 1, 1);
  return pass_bytes(0, 0, 8, 8) + pass_bytes(4, 0, 8, 8) + pass_bytes(0, 4, 4, 8) + pass_bytes(2, 0, 4, 4) +
         pass_bytes(0, 2, 2, 4) + pass_bytes(1, 0, 2, 2) + pass_bytes(0, 1, 1, 2);
}

// Refuses a PNG whose image data inflates to more than twice what its header's
// size needs (plus 4 KiB). stb_image inflates into a buffer it doubles as
// needed, up to 4 GiB, before it compares with the header; deflate expands up
// to 1032:1, so a 4 MB file could take 4 GiB. stb accepts a little data past
// the end (an encoder in the wild pads with zeros), hence the slack. The
// inflating here writes into a fixed buffer that stb will not grow.
static void check_png_inflated_size(const std::vector<std::uint8_t>& ihdr, const std::vector<std::uint8_t>& idat,
                                    bool raw_deflate, const std::string& name) {
  if (ihdr.size() != 13 || idat.empty()) return;  // stb refuses these itself
  const std::uint64_t width = read_u32_be(&ihdr[0]), height = read_u32_be(&ihdr[4]);
  const std::uint64_t bit_depth = ihdr[8], color_type = ihdr[9];
  const int samples_per_pixel[7] = {1, 0, 3, 1, 2, 0, 4};  // by PNG colour type; 0 = not a valid type
  if (color_type > 6 || samples_per_pixel[color_type] == 0 || bit_depth > 16) return;
  if (width == 0 || height == 0 || width > kMaxImagePixels || height > kMaxImagePixels ||
      width * height > kMaxImagePixels)
    return;  // the size checks of decode_image say what is wrong
  const std::uint64_t needed =
      png_filtered_bytes(width, height, samples_per_pixel[color_type] * bit_depth, ihdr[12] != 0);
  const std::uint64_t allowed = 2 * needed + 4096;        // at most 2 x 128 MiB + 4 KiB: fits an int
  if (max_inflated_size(idat.size()) <= allowed) return;  // cannot pass the limit: not inflated
  std::unique_ptr<char[]> inflated(new char[allowed]);
  const char* data = reinterpret_cast<const char*>(idat.data());
  const int produced = raw_deflate
                           ? stbi_zlib_decode_noheader_buffer(inflated.get(), int(allowed), data, int(idat.size()))
                           : stbi_zlib_decode_buffer(inflated.get(), int(allowed), data, int(idat.size()));
  if (produced < 0 && stb_reason() == "output buffer limit")  // stb's words for "more than the buffer holds"
    throw decode_error(name, "its image data inflates to more than " + std::to_string(allowed) +
                                 " bytes, while its size (" + std::to_string(width) + "x" + std::to_string(height) +
                                 ") needs " + std::to_string(needed) +
                                 "; the file is corrupt (or a decompression bomb)");
}

// Walks a PNG's chunks (length, type, data, CRC) up to IEND, as stb_image
// reads them, and refuses what stb_image 2.27 mishandles (the first two found
// by tests/fuzz/fuzz_image.cpp):
//  - a chunk longer than the bytes that remain: stb grows its buffer for an
//    IDAT chunk to the claimed length (up to 1 GiB, rounded up to 2 GiB)
//    before finding that the data is not there; a 149-byte file made it
//    allocate 2 GiB;
//  - an empty first IDAT chunk: stb copies zero bytes to a null pointer
//    (undefined behaviour); no encoder writes such a chunk;
//  - image data that inflates to far more than the header's size needs
//    (check_png_inflated_size).
static void check_png_chunks(const std::vector<std::uint8_t>& b, const std::string& name) {
  std::size_t pos = 8;  // after the signature
  std::vector<std::uint8_t> ihdr, idat;
  bool raw_deflate = false;  // Apple's "CgBI" PNGs hold deflate data without the zlib header
  while (pos + 8 <= b.size()) {
    const std::uint64_t length = read_u32_be(&b[pos]);
    const std::string type(reinterpret_cast<const char*>(&b[pos + 4]), 4);
    if (type == "IEND") break;
    const std::size_t remaining = b.size() - (pos + 8);
    if (length > remaining)
      throw decode_error(name, "a truncated PNG (a chunk claims " + std::to_string(length) + " bytes, only " +
                                   std::to_string(remaining) + " remain)");
    const auto chunk_data = b.begin() + static_cast<std::ptrdiff_t>(pos + 8);
    if (type == "CgBI") raw_deflate = true;
    if (type == "IHDR" && ihdr.empty()) ihdr.assign(chunk_data, chunk_data + static_cast<std::ptrdiff_t>(length));
    if (type == "IDAT") {
      if (length == 0 && idat.empty())
        throw image_error(name,
                          "is a PNG whose first image data chunk (IDAT) is empty; this reader does not "
                          "accept that");
      idat.insert(idat.end(), chunk_data, chunk_data + static_cast<std::ptrdiff_t>(length));
    }
    pos += 12 + static_cast<std::size_t>(length);
  }
  check_png_inflated_size(ihdr, idat, raw_deflate, name);
}

void check_image_size(std::uint64_t width, std::uint64_t height, const std::string& name) {
  if (width < 1 || height < 1)
    throw image_error(name, "has a zero size (" + std::to_string(width) + "x" + std::to_string(height) + ")");
  if (width > kMaxImagePixels || height > kMaxImagePixels || width * height > kMaxImagePixels)
    throw image_error(name, "is " + std::to_string(width) + "x" + std::to_string(height) + " = " +
                                std::to_string(width * height) + " pixels, above the limit of " +
                                std::to_string(kMaxImagePixels) + " (4096x4096); resize it first");
}

void check_image_bytes(const std::vector<std::uint8_t>& bytes, const char* format, const std::string& name) {
  if (bytes.empty()) throw image_error(name, "is empty (0 bytes); not an image");
  if (bytes.size() > static_cast<std::size_t>(INT_MAX))
    throw image_error(name, "is larger than 2 GiB; not an image this program can read");
  check_jpeg_tables(bytes, name);
  std::uint64_t announced_width = 0, announced_height = 0;
  if (announced_size(bytes, format, announced_width, announced_height))
    check_image_size(announced_width, announced_height, name);
  if (format && std::string(format) == "PNG") check_png_chunks(bytes, name);
  if (format && std::string(format) == "PGM/PPM") {
    if (!pnm_size(bytes, announced_width, announced_height))
      throw image_error(name, "has a corrupt PGM/PPM header: a number of 10 or more digits");
    if (announced_width > kMaxImagePixels || announced_height > kMaxImagePixels)
      check_image_size(announced_width, announced_height, name);
  }
}

}  // namespace gcam
