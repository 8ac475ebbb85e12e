// gzip.hpp — CRC-32 and in-memory gzip decompression.
//
// The datasets ship gzipped, and the checksum is the one of gzip, PNG and
// checkpoints alike, so one implementation serves all three. Decompression
// borrows stb_image's inflater (the one PNG decoding uses) instead of
// depending on zlib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gcam {

// CRC-32 as used by gzip and PNG (reflected polynomial 0xEDB88320, initial
// value and final xor 0xFFFFFFFF). crc32 of "123456789" is 0xCBF43926.
// `crc` continues a previous result, so data can be fed in pieces.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0);

// True if `bytes` starts with the gzip magic number 1f 8b.
bool is_gzip(const std::vector<std::uint8_t>& bytes);

// The most bytes n bytes of deflate data can inflate to: 1032 n + 1032 (a
// 258-byte match coded in 2 bits, and a partial byte at the end). stb's
// inflater stops at the end of its input, so it cannot produce more. A claim
// above it is a corrupt file, refused before allocating what it asks for.
constexpr std::uint64_t max_inflated_size(std::uint64_t compressed) { return 1032 * compressed + 1032; }

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
