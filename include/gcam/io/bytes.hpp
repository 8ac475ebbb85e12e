// bytes.hpp — unsigned numbers stored as bytes in a fixed order: the one set
// of byte readers and writers every file format of the project uses.
//
// File formats fix their byte order (checkpoints, gzip, BMP, .npy: least
// significant byte first; PNG, JPEG, IDX: most significant first), so numbers
// are assembled byte by byte with shifts instead of copied from memory: the
// result is the same on little- and big-endian hosts, and no unaligned load
// is ever made. Nothing here checks bounds: the caller has checked that the
// bytes are there.
#pragma once

#include <cstdint>

namespace gcam {

// ---- reading: the n bytes starting at p ---------------------------------------------

inline std::uint64_t read_le(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

inline std::uint64_t read_be(const std::uint8_t* p, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = v << 8 | p[i];
  return v;
}

inline std::uint16_t read_u16_le(const std::uint8_t* p) { return static_cast<std::uint16_t>(read_le(p, 2)); }
inline std::uint32_t read_u32_le(const std::uint8_t* p) { return static_cast<std::uint32_t>(read_le(p, 4)); }
inline std::uint64_t read_u64_le(const std::uint8_t* p) { return read_le(p, 8); }
inline std::uint32_t read_u32_be(const std::uint8_t* p) { return static_cast<std::uint32_t>(read_be(p, 4)); }

// ---- writing over the n bytes starting at p -----------------------------------------

inline void write_le(std::uint8_t* p, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

inline void write_be(std::uint8_t* p, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * (n - 1 - i)));
}

inline void write_u32_le(std::uint8_t* p, std::uint32_t v) { write_le(p, v, 4); }
inline void write_u64_le(std::uint8_t* p, std::uint64_t v) { write_le(p, v, 8); }
inline void write_u32_be(std::uint8_t* p, std::uint32_t v) { write_be(p, v, 4); }

// ---- appending the n low bytes of v to a byte container -----------------------------
// (std::vector<std::uint8_t>, std::vector<unsigned char> or std::string: each
// byte is converted to the container's element type.)

template <class Bytes>
void append_le(Bytes& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<typename Bytes::value_type>((v >> (8 * i)) & 0xFF));
}

template <class Bytes>
void append_be(Bytes& out, std::uint64_t v, int n) {
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<typename Bytes::value_type>((v >> (8 * i)) & 0xFF));
}

}  // namespace gcam
