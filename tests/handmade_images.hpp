// Small files assembled byte by byte: images in formats this project has no
// encoder of its own for (JPEG, GIF), PNGs its encoder would not write
// (interlaced, or with more image data than the size needs), and gzip files
// (no compressor needed: the data goes in stored deflate blocks). Used by the bad-input tests and by the
// fuzz seed corpus generator (tests/fuzz/make_corpus.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/image.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/gzip.hpp"  // crc32

namespace gcam_test {

// A baseline JPEG of width × height (multiples of 8) with 1 (gray) or 3
// components, all of one mid-gray: every 8×8 block is "DC difference 0, end
// of block". One-code Huffman tables make both a single 0 bit, so the scan is
// two bits per block. Ends with the EOI marker FF D9.
inline std::vector<std::uint8_t> tiny_jpeg(int width, int height, int components) {
  std::vector<std::uint8_t> b{0xFF, 0xD8};  // SOI
  const auto u16 = [&b](int v) { gcam::append_be(b, v, 2); };
  b.insert(b.end(), {0xFF, 0xDB}), u16(67), b.push_back(0);  // DQT: table 0, all ones
  b.insert(b.end(), 64, 1);
  b.insert(b.end(), {0xFF, 0xC0}), u16(8 + 3 * components), b.push_back(8), u16(height), u16(width);  // SOF0
  b.push_back(std::uint8_t(components));
  for (int c = 1; c <= components; ++c) b.insert(b.end(), {std::uint8_t(c), 0x11, 0});
  for (std::uint8_t table : {0x00, 0x10}) {  // DHT: DC table 0, AC table 0; one code "0" for symbol 0
    b.insert(b.end(), {0xFF, 0xC4}), u16(20), b.push_back(table), b.push_back(1);
    b.insert(b.end(), 15, 0);
    b.push_back(0);
  }
  b.insert(b.end(), {0xFF, 0xDA}), u16(6 + 2 * components), b.push_back(std::uint8_t(components));  // SOS
  for (int c = 1; c <= components; ++c) b.insert(b.end(), {std::uint8_t(c), 0x00});
  b.insert(b.end(), {0, 63, 0});
  const int bits = 2 * (width / 8) * (height / 8) * components;  // all zero bits, padded with ones
  b.insert(b.end(), std::size_t(bits / 8), 0x00);
  if (bits % 8) b.push_back(std::uint8_t(0xFF >> (bits % 8)));
  b.insert(b.end(), {0xFF, 0xD9});  // EOI
  return b;
}

// A 2×2 GIF with a 2-colour palette (black, white). The LZW codes (3 bits
// each) put a clear code before every pixel, so the code size never grows:
// 4 0 4 1 4 1 4 0 5.
inline std::vector<std::uint8_t> tiny_gif() {
  std::vector<std::uint8_t> b{'G', 'I', 'F', '8', '9', 'a', 2, 0, 2, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255};
  b.insert(b.end(), {0x2C, 0, 0, 0, 0, 2, 0, 2, 0, 0});  // image descriptor: at (0, 0), 2×2, no local palette
  b.push_back(2);                                        // LZW minimum code size
  std::vector<std::uint8_t> packed;
  unsigned bits = 0, count = 0;
  for (unsigned code : {4u, 0u, 4u, 1u, 4u, 1u, 4u, 0u, 5u}) {
    bits |= code << count, count += 3;
    while (count >= 8) packed.push_back(std::uint8_t(bits)), bits >>= 8, count -= 8;
  }
  if (count) packed.push_back(std::uint8_t(bits));
  b.push_back(std::uint8_t(packed.size()));
  b.insert(b.end(), packed.begin(), packed.end());
  b.insert(b.end(), {0, 0x3B});  // end of the image data, trailer
  return b;
}

// An image of the given size whose bytes run through a fixed pattern
// (byte i is 29·i mod 256): every channel, row and column differs, so a
// reader that mixes them up is caught.
inline gcam::Image pattern_image(int width, int height, int channels) {
  gcam::Image image;
  image.width = width, image.height = height, image.channels = channels;
  image.pixels.resize(std::size_t(width) * std::size_t(height) * std::size_t(channels));
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = std::uint8_t(i * 29 % 256);
  return image;
}

// `raw` as a deflate stream (no zlib or gzip wrapper) of stored blocks: each
// is BFINAL/BTYPE=00, LEN and ~LEN (little-endian), then up to 65535 bytes.
inline std::vector<std::uint8_t> deflate_stored(const std::vector<std::uint8_t>& raw) {
  std::vector<std::uint8_t> d;
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(raw.size() - at, 65535);
    d.push_back(at + n == raw.size() ? 1 : 0);
    gcam::append_le(d, n, 2), gcam::append_le(d, ~n, 2);
    d.insert(d.end(), raw.begin() + std::ptrdiff_t(at), raw.begin() + std::ptrdiff_t(at + n));
    at += n;
  } while (at < raw.size());
  return d;
}

// `data` as a gzip file: header (no name, no extra fields), stored blocks,
// CRC-32 and size (little-endian).
inline std::vector<std::uint8_t> gzip_stored(const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> b{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff};
  const std::vector<std::uint8_t> blocks = deflate_stored(data);
  b.insert(b.end(), blocks.begin(), blocks.end());
  gcam::append_le(b, gcam::crc32(data.data(), data.size()), 4);
  gcam::append_le(b, std::uint32_t(data.size()), 4);
  return b;
}

// An 8-bit grey PNG (optionally Adam7-interlaced) whose IDAT holds
// `filtered` (filter-type bytes and pixels) as a zlib stream of stored blocks.
inline std::vector<std::uint8_t> grey_png(std::uint32_t width, std::uint32_t height, bool interlaced,
                                          const std::vector<std::uint8_t>& filtered) {
  std::vector<std::uint8_t> png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  const auto chunk = [&png](const std::string& type, const std::vector<std::uint8_t>& data) {
    gcam::append_be(png, std::uint32_t(data.size()), 4);
    std::vector<std::uint8_t> typed(type.begin(), type.end());
    typed.insert(typed.end(), data.begin(), data.end());
    png.insert(png.end(), typed.begin(), typed.end());
    gcam::append_be(png, gcam::crc32(typed.data(), typed.size()), 4);
  };
  std::vector<std::uint8_t> ihdr;
  gcam::append_be(ihdr, width, 4), gcam::append_be(ihdr, height, 4);
  ihdr.insert(ihdr.end(), {8, 0, 0, 0, std::uint8_t(interlaced)});  // depth 8, grey, deflate, filters, interlace
  std::vector<std::uint8_t> zlib = {0x78, 0x01};
  const std::vector<std::uint8_t> blocks = deflate_stored(filtered);
  zlib.insert(zlib.end(), blocks.begin(), blocks.end());
  std::uint32_t a = 1, b = 0;  // Adler-32 of the uncompressed data
  for (std::uint8_t byte : filtered) a = (a + byte) % 65521, b = (b + a) % 65521;
  gcam::append_be(zlib, b << 16 | a, 4);
  chunk("IHDR", ihdr);
  chunk("IDAT", zlib);
  chunk("IEND", {});
  return png;
}

}  // namespace gcam_test
