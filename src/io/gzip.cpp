// gzip (see gzip.hpp): the CRC-32 table, the RFC 1952 header walk and the
// checks around stb's inflater. Every size comes from the file, so each is
// checked against the bytes there before it is trusted.
#include "gcam/io/gzip.hpp"

#include <array>
#include <climits>

#include "gcam/core/error.hpp"
#include "gcam/io/bytes.hpp"
#include "stb.hpp"

namespace gcam {

// The CRC table, built at compile time: entry n is the CRC of the byte n.
static constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t n = 0; n < 256; ++n) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}
static constexpr std::array<std::uint32_t, 256> kCrcTable = make_crc_table();

std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i) crc = kCrcTable[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

bool is_gzip(const std::vector<std::uint8_t>& bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// RFC 1952 header flags.
enum : std::uint8_t { kFText = 1, kFHcrc = 2, kFExtra = 4, kFName = 8, kFComment = 16 };

// Walks the header of `file` and returns the offset of the deflate data.
// `end` is where the 8-byte trailer starts; the header must end before it.
static std::size_t gzip_data_offset(const std::vector<std::uint8_t>& file, std::size_t end, const std::string& name) {
  const auto fail = [&name](const std::string& what) { return FormatError("gunzip: '" + name + "' " + what); };
  if (file[2] != 8) throw fail("uses compression method " + std::to_string(file[2]) + "; only 8 (deflate) exists");
  const std::uint8_t flags = file[3];
  if (flags & 0xE0) throw fail("has reserved header flags set; the file is corrupt or not gzip");
  std::size_t pos = 10;  // magic, method, flags, mtime (4), extra flags, OS
  const auto truncated = [&] { return fail("is truncated inside its header"); };
  if (flags & kFExtra) {
    if (pos + 2 > end) throw truncated();
    pos += 2 + std::size_t{read_u16_le(&file[pos])};
  }
  for (std::uint8_t field : {kFName, kFComment}) {
    if (!(flags & field)) continue;
    while (pos < end && file[pos] != 0) ++pos;  // zero-terminated string
    if (pos >= end) throw truncated();
    ++pos;
  }
  if (flags & kFHcrc) {
    if (pos + 2 > end) throw truncated();
    const std::uint32_t expected = read_u16_le(&file[pos]);
    if ((crc32(file.data(), pos) & 0xFFFF) != expected) throw fail("has a wrong header CRC; the file is corrupt");
    pos += 2;
  }
  if (pos > end) throw truncated();
  return pos;
}

std::vector<std::uint8_t> gunzip(const std::vector<std::uint8_t>& file, const std::string& name) {
  const auto fail = [&name](const std::string& what) { return FormatError("gunzip: '" + name + "' " + what); };
  if (!is_gzip(file)) throw fail("is not a gzip file (it does not start with the bytes 1f 8b)");
  if (file.size() < 18)
    throw fail("is truncated: " + std::to_string(file.size()) + " bytes, a gzip file has at least 18");
  const std::size_t trailer = file.size() - 8;
  const std::size_t start = gzip_data_offset(file, trailer, name);
  // gzip stores multi-byte numbers little-endian.
  const std::uint32_t expected_crc = read_u32_le(&file[trailer]);
  const std::uint32_t expected_size = read_u32_le(&file[trailer + 4]);  // size mod 2^32
  const std::size_t compressed = trailer - start;
  // Deflate cannot expand data more than 1032:1, so a larger claim means a
  // corrupt trailer: refuse before allocating what it asks for.
  if (expected_size > INT_MAX || compressed > INT_MAX - 8) throw fail("is too large (over 2 GiB) for this reader");
  if (expected_size > max_inflated_size(compressed))
    throw fail("claims " + std::to_string(expected_size) + " bytes uncompressed from only " +
               std::to_string(compressed) + " compressed bytes; the file is corrupt or truncated");
  std::vector<std::uint8_t> out(expected_size);
  char empty = 0;  // stb needs a valid pointer even for an empty result
  char* target = out.empty() ? &empty : reinterpret_cast<char*>(out.data());
  // The input handed to stb includes the 8 trailer bytes: stb's decoder
  // refuses to decode a Huffman code when fewer than 16 bits are left before
  // the end of its input (it expects a checksum after the data, as in PNG),
  // even if the code is shorter. It stops at the final block by itself.
  const int produced =
      stbi_zlib_decode_noheader_buffer(target, static_cast<int>(expected_size),
                                       reinterpret_cast<const char*>(&file[start]), static_cast<int>(compressed + 8));
  if (produced < 0) {
    const std::string reason = stb_reason();
    if (reason == "output buffer limit")  // stb's words for "more data than the buffer"
      throw fail("inflates to more than the " + std::to_string(expected_size) +
                 " bytes its trailer says; the file is corrupt");
    throw fail("has corrupt or truncated compressed data (" + reason + ")");
  }
  if (static_cast<std::uint32_t>(produced) != expected_size)
    throw fail("inflates to " + std::to_string(produced) + " bytes, but its trailer says " +
               std::to_string(expected_size) + "; the file is corrupt or truncated");
  if (crc32(out.data(), out.size()) != expected_crc)
    throw fail("fails its CRC-32 check; the file is corrupt (download or copy it again)");
  return out;
}

}  // namespace gcam
