// What each fuzz target does with one input, shared by the libFuzzer entry
// points (fuzz_image.cpp, fuzz_idx.cpp, fuzz_checkpoint.cpp) and the Catch2
// test that replays tests/fuzz/regressions/ (test_fuzz_regressions.cpp).
//
// Each function calls the real readers on bytes held in memory. The errors
// they document for bad input (FormatError) are the expected outcome and are
// caught; anything else escaping (another exception type, a crash, a leak, a
// sanitizer report) is a bug the fuzzer reports.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/io/gzip.hpp"
#include "gcam/io/image_codec.hpp"

namespace gcam_fuzz {

// stb_image through decode_image (the code path of load_image).
inline void image_input(const std::uint8_t* data, std::size_t size) {
  try {
    const gcam::Image image = gcam::decode_image(std::vector<std::uint8_t>(data, data + size), "fuzz");
    // A decoded image is consistent: the sizes promised and the bytes held.
    if (image.width < 1 || image.height < 1 || image.channels < 1 || image.channels > 4 ||
        image.pixels.size() != std::size_t(image.width) * std::size_t(image.height) * std::size_t(image.channels))
      __builtin_trap();
  } catch (const gcam::FormatError&) {}
}

// The IDX reader on the raw bytes, and on their gunzipped content when they
// are gzip (as load_idx does).
inline void idx_input(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  try {
    const gcam::IdxArray a = gcam::read_idx(bytes, "fuzz");
    std::size_t n = 1;
    for (int d : a.dims) n *= std::size_t(d);
    if (a.data.size() != n) __builtin_trap();
  } catch (const gcam::FormatError&) {}
  if (!gcam::is_gzip(bytes)) return;
  try {
    gcam::read_idx(gcam::gunzip(bytes, "fuzz.gz"), "fuzz.gz");
  } catch (const gcam::FormatError&) {}
}

// Decodes a checkpoint; when it decodes, also builds its model (load_model's
// architecture and tensor checks) from a file. Without help, almost every
// mutation would stop at the CRC-32, so each input is tried twice: as it is
// (the envelope checks) and with its size field and checksum made right (the
// fields behind them).
inline void checkpoint_input(const std::uint8_t* data, std::size_t size) {
  std::vector<unsigned char> bytes(data, data + size);
  const auto try_decode = [](const std::vector<unsigned char>& b) {
    try {
      gcam::decode_checkpoint(b, "fuzz");
    } catch (const gcam::FormatError&) {
      return;
    }
    // It decodes: load it as a model too (through a file, as load_model reads one).
    const std::string path = "/tmp/gcam_fuzz_" + std::to_string(::getpid()) + ".ckpt";
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), std::streamsize(b.size()));
    try {
      gcam::load_model(path);
    } catch (const gcam::FormatError&) {}
    std::remove(path.c_str());
  };
  try_decode(bytes);
  if (bytes.size() < 24) return;
  gcam::write_u64_le(&bytes[12], size);
  gcam::write_u32_le(&bytes[size - 4], gcam::checkpoint_checksum(bytes.data(), size - 4));
  try_decode(bytes);
}

}  // namespace gcam_fuzz
