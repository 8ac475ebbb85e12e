// The IDX format of MNIST and Fashion-MNIST: a tiny header, then raw bytes.
// Every field is validated, because a corrupt header could otherwise make us
// read past the data or allocate absurd amounts of memory.
#include <climits>
#include <cstdint>

#include "gcam/core/error.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/files.hpp"
#include "gcam/io/gzip.hpp"

namespace gcam {

static constexpr std::uint8_t kUnsignedByte = 0x08;
static constexpr int kMaxIdxDims = 4;

// "0x0d" for 13.
static std::string hex_byte(std::uint8_t b) {
  const char* digits = "0123456789abcdef";
  return std::string("0x") + digits[b >> 4] + digits[b & 15];
}

// a · b, or false if the product does not fit in std::size_t.
static bool checked_multiply(std::size_t a, std::size_t b, std::size_t& product) {
  if (b != 0 && a > SIZE_MAX / b) return false;
  product = a * b;
  return true;
}

IdxArray read_idx(std::vector<std::uint8_t> bytes, const std::string& name) {
  const auto fail = [&name](const std::string& what) { return FormatError("IDX file '" + name + "': " + what); };
  if (bytes.size() < 4) throw fail("only " + std::to_string(bytes.size()) + " bytes, too short for an IDX header");
  if (bytes[0] != 0 || bytes[1] != 0)
    throw fail("bad magic number (the first two bytes must be 0); this is not an IDX file");
  if (bytes[2] != kUnsignedByte)
    throw fail("data type byte is " + hex_byte(bytes[2]) + "; only 0x08 (unsigned byte) is supported");
  const int ndims = bytes[3];
  if (ndims < 1 || ndims > kMaxIdxDims)
    throw fail("has " + std::to_string(ndims) + " dimensions; supported are 1 to " + std::to_string(kMaxIdxDims) +
               " (labels have 1, images 3)");
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(ndims);
  if (bytes.size() < header)
    throw fail("truncated header: " + std::to_string(ndims) + " dimensions need " + std::to_string(header) +
               " bytes, the file has " + std::to_string(bytes.size()));
  IdxArray array;
  std::size_t expected = 1;
  for (int d = 0; d < ndims; ++d) {
    const std::uint32_t dim = read_u32_be(&bytes[4 + 4 * static_cast<std::size_t>(d)]);  // IDX is big-endian
    if (dim > static_cast<std::uint32_t>(INT_MAX))
      throw fail("dimension " + std::to_string(d) + " is " + std::to_string(dim) + ", which is absurdly large");
    if (dim == 0 && d > 0)
      throw fail("dimension " + std::to_string(d) + " is zero; only the item count (dimension 0) may be zero");
    if (!checked_multiply(expected, dim, expected))
      throw fail("the dimensions' product overflows; the header is corrupt");
    array.dims.push_back(static_cast<int>(dim));
  }
  const std::size_t payload = bytes.size() - header;
  if (payload < expected)
    throw fail("truncated: the dimensions need " + std::to_string(expected) + " data bytes, the file has " +
               std::to_string(payload));
  if (payload > expected)
    throw fail("has " + std::to_string(payload - expected) + " unexpected bytes after the " + std::to_string(expected) +
               " data bytes");
  // Reuse the buffer: shift the data to the front instead of copying it.
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header));
  array.data = std::move(bytes);
  return array;
}

IdxArray load_idx(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_file_bytes(path);
  if (is_gzip(bytes)) bytes = gunzip(bytes, path);
  return read_idx(std::move(bytes), path);
}

}  // namespace gcam
