// npy.hpp — tensors as NumPy .npy files, so results can be inspected with
// numpy.load in Python.
#pragma once

#include <string>

#include "gcam/core/tensor.hpp"

namespace gcam {

// Writes `t` as a NumPy .npy file (format version 1.0), atomically: dtype
// '<f4' (float32, little-endian, whatever gcam::Scalar is), C order, shape
// t.shape(). numpy.load(path) returns the same array.
void save_npy(const std::string& path, const Tensor& t);

// The bytes save_npy writes (exposed so tests can inspect the format).
std::string npy_bytes(const Tensor& t);

}  // namespace gcam
