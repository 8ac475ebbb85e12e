// tensor.hpp — the one array type of the framework.
//
// A Tensor is a contiguous, row-major block of Scalars with a shape.
// Image batches use NCHW order: index (n, c, h, w) lives at
//   ((n * C + c) * H + h) * W + w.
// Dense activations use (N, F); biases use (F). There are no strides and no
// views: reshaping keeps the data and only changes the shape.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gcam {

// The element type is one compile-time choice for the whole build:
//  - double (default): finite-difference gradient checks reach ~1e-8.
//  - float (compile with -DGCAM_FLOAT32): the fast build, as PyTorch uses.
#ifdef GCAM_FLOAT32
using Scalar = float;
#else
using Scalar = double;
#endif

// Name of the scalar type of this build ("float32" or "float64").
const char* scalar_name();

using Shape = std::vector<int>;

// Product of the dimensions; 1 for the empty shape (a scalar).
std::size_t numel(const Shape& shape);
// "[2, 3, 8, 8]" — used in every shape error message.
std::string shape_string(const Shape& shape);

class Tensor {
 public:
  Tensor() = default;
  // A tensor of the given shape filled with `fill`. Throws on negative dims.
  explicit Tensor(Shape shape, Scalar fill = 0);
  // A tensor from explicit values (row-major). Throws if the count differs.
  Tensor(Shape shape, std::vector<Scalar> values);

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  // Size of dimension i; negative i counts from the end (-1 = last).
  int dim(int i) const;
  std::size_t size() const { return data_.size(); }
  // Elements the storage holds without reallocating (see Workspace).
  std::size_t capacity() const { return data_.capacity(); }
  bool empty() const { return data_.empty(); }

  Scalar* data() { return data_.data(); }
  const Scalar* data() const { return data_.data(); }
  std::vector<Scalar>& values() { return data_; }
  const std::vector<Scalar>& values() const { return data_; }

  Scalar& operator[](std::size_t i) { return data_[i]; }
  Scalar operator[](std::size_t i) const { return data_[i]; }

  // Element (n, c, h, w) of a rank-4 tensor (no bounds check in release).
  Scalar& at(int n, int c, int h, int w) {
    return data_[((static_cast<std::size_t>(n) * shape_[1] + c) * shape_[2] + h) * shape_[3] + w];
  }
  Scalar at(int n, int c, int h, int w) const {
    return data_[((static_cast<std::size_t>(n) * shape_[1] + c) * shape_[2] + h) * shape_[3] + w];
  }
  // Element (row, col) of a rank-2 tensor.
  Scalar& at(int row, int col) { return data_[static_cast<std::size_t>(row) * shape_[1] + col]; }
  Scalar at(int row, int col) const { return data_[static_cast<std::size_t>(row) * shape_[1] + col]; }

  // Same data, new shape with the same number of elements (throws otherwise).
  Tensor reshaped(Shape shape) const;
  // Changes shape and size, keeping the allocation when it is large enough.
  // New elements are set to zero; old values are not meaningful afterwards.
  void resize(const Shape& shape);
  void fill(Scalar value);

 private:
  Shape shape_;
  std::vector<Scalar> data_;
};

// Throws ShapeError "<op>: <what> ..." unless a.shape() == b.shape().
void require_same_shape(const char* op, const Tensor& a, const Tensor& b);

// Items [begin, end) of a batch: the rows of the first dimension, copied.
Tensor slice_batch(const Tensor& batch, int begin, int end);
// The same into `out`, reusing its storage when it is large enough.
void slice_batch(const Tensor& batch, int begin, int end, Tensor& out);

// The batches one after the other (all of the same item shape).
Tensor concat_batch(const std::vector<Tensor>& parts);

// Largest |a - b| over all elements (shapes must match).
double max_abs_difference(const Tensor& a, const Tensor& b);

}  // namespace gcam
