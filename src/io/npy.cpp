// The .npy writer (see npy.hpp). Always float32, whatever Scalar is, so the
// float and double builds write files of the same kind.
#include "gcam/io/npy.hpp"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "gcam/core/error.hpp"
#include "gcam/io/bytes.hpp"
#include "gcam/io/files.hpp"

namespace gcam {

// Python's spelling of a shape tuple: "()", "(5,)", "(2, 3)".
static std::string python_tuple(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Scalar → float32 bits. Finite doubles beyond float's range become ±inf
// explicitly (a plain conversion of such values is undefined behaviour).
static std::uint32_t float32_bits(Scalar v) {
  float f;
  if (std::isfinite(v) && std::fabs(static_cast<double>(v)) > FLT_MAX)
    f = v > 0 ? HUGE_VALF : -HUGE_VALF;
  else
    f = static_cast<float>(v);
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  return bits;
}

std::string npy_bytes(const Tensor& t) {
  if (t.size() != numel(t.shape()))
    throw ShapeError("save_npy: tensor of shape " + shape_string(t.shape()) + " holds " + std::to_string(t.size()) +
                     " values (an empty default tensor cannot be saved)");
  // Layout: magic, version 1.0, header length (uint16 LE), then a Python dict
  // literal padded with spaces and ended by '\n' so that the data starts at a
  // multiple of 64 bytes (NumPy's alignment rule).
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + python_tuple(t.shape()) + ", }";
  const std::size_t prefix = 10;  // magic (6) + version (2) + length (2)
  const std::size_t total = (prefix + dict.size() + 1 + 63) / 64 * 64;
  dict.append(total - prefix - dict.size() - 1, ' ');
  dict += '\n';
  if (dict.size() > 65535)
    throw ShapeError("save_npy: shape " + shape_string(t.shape()) + " is too long for an .npy 1.0 header");
  std::string out("\x93NUMPY\x01\x00", 8);
  append_le(out, dict.size(), 2);
  out += dict;
  out.reserve(out.size() + 4 * t.size());
  for (std::size_t i = 0; i < t.size(); ++i) append_le(out, float32_bits(t[i]), 4);
  return out;
}

void save_npy(const std::string& path, const Tensor& t) { write_file_atomically(path, npy_bytes(t)); }

}  // namespace gcam
