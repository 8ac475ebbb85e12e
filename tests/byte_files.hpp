// Files read, written and edited byte by byte, for the tests that damage a
// checkpoint or an image on purpose and check what the reader says.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/checkpoint.hpp"

namespace gcam_test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Writes in place (not atomically): the tests want exactly these bytes there.
inline void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline Bytes as_bytes(const std::string& text) { return Bytes(text.begin(), text.end()); }

// The library's writers, with a bounds check: a test that edits past the
// end of a file is a broken test, and .at() says so instead of corrupting memory.
// Little-endian, as checkpoints, BMP and gzip store numbers.
inline void put_le32(Bytes& b, std::size_t at, std::uint32_t v) {
  (void)b.at(at + 3);
  gcam::write_u32_le(&b[at], v);
}

// Big-endian, as PNG stores its sizes.
inline void put_be32(Bytes& b, std::size_t at, std::uint32_t v) {
  (void)b.at(at + 3);
  gcam::write_u32_be(&b[at], v);
}

// Recomputes a checkpoint's trailing CRC-32 after a deliberate edit, so that
// the reader gets past the checksum to the check under test.
inline void reseal_checkpoint(Bytes& b) {
  put_le32(b, b.size() - 4, gcam::checkpoint_checksum(b.data(), b.size() - 4));
}

// The offset just past the first occurrence of `text` (a tensor name, a
// chunk tag) in `b`.
inline std::size_t offset_after(const Bytes& b, const std::string& text) {
  const auto it = std::search(b.begin(), b.end(), text.begin(), text.end());
  REQUIRE(it != b.end());
  return std::size_t(it - b.begin()) + text.size();
}

// The FormatError message of load_model on `bytes` written to `path`; "" if
// the model loads.
inline std::string load_model_error(const std::string& path, const Bytes& bytes) {
  write_bytes(path, bytes);
  try {
    gcam::load_model(path);
  } catch (const gcam::FormatError& e) {
    return e.what();
  }
  return "";
}

}  // namespace gcam_test
