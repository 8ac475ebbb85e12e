// Small image files assembled byte by byte, for formats this project has no
// encoder of its own for (JPEG, GIF). Used by the bad-input tests and by the
// fuzz seed corpus generator (tests/fuzz/make_corpus.cpp).
#pragma once

#include <cstdint>
#include <vector>

namespace gcam_test {

// A baseline JPEG of width × height (multiples of 8) with 1 (gray) or 3
// components, all of one mid-gray: every 8×8 block is "DC difference 0, end
// of block". One-code Huffman tables make both a single 0 bit, so the scan is
// two bits per block. Ends with the EOI marker FF D9.
inline std::vector<std::uint8_t> tiny_jpeg(int width, int height, int components) {
  std::vector<std::uint8_t> b{0xFF, 0xD8};  // SOI
  const auto u16 = [&b](int v) { b.push_back(std::uint8_t(v >> 8)), b.push_back(std::uint8_t(v)); };
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

}  // namespace gcam_test
