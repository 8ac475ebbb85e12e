#include "gcam/core/tensor.hpp"

#include <algorithm>
#include <cmath>

#include "gcam/core/error.hpp"

namespace gcam {

const char* scalar_name() { return sizeof(Scalar) == 4 ? "float32" : "float64"; }

std::size_t numel(const Shape& shape) {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::string shape_string(const Shape& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

static void require_non_negative(const Shape& shape) {
  for (int d : shape)
    if (d < 0) throw ShapeError("tensor: negative dimension in shape " + shape_string(shape));
}

Tensor::Tensor(Shape shape, Scalar fill) : shape_(std::move(shape)) {
  require_non_negative(shape_);
  data_.assign(numel(shape_), fill);
}

Tensor::Tensor(Shape shape, std::vector<Scalar> values) : shape_(std::move(shape)), data_(std::move(values)) {
  require_non_negative(shape_);
  if (data_.size() != numel(shape_))
    throw ShapeError("tensor: shape " + shape_string(shape_) + " needs " + std::to_string(numel(shape_)) +
                     " values, got " + std::to_string(data_.size()));
}

int Tensor::dim(int i) const {
  int r = rank();
  int j = i < 0 ? i + r : i;
  if (j < 0 || j >= r)
    throw ShapeError("tensor: dimension " + std::to_string(i) + " out of range for shape " + shape_string(shape_));
  return shape_[static_cast<std::size_t>(j)];
}

Tensor Tensor::reshaped(Shape shape) const {
  if (numel(shape) != data_.size())
    throw ShapeError("reshape: cannot view " + shape_string(shape_) + " as " + shape_string(shape));
  Tensor t;
  t.shape_ = std::move(shape);
  t.data_ = data_;
  return t;
}

void Tensor::resize(const Shape& shape) {
  require_non_negative(shape);
  shape_ = shape;
  data_.resize(numel(shape_));
}

void Tensor::fill(Scalar value) { std::fill(data_.begin(), data_.end(), value); }

void require_same_shape(const char* op, const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape())
    throw ShapeError(std::string(op) + ": shapes differ: " + shape_string(a.shape()) + " vs " +
                     shape_string(b.shape()));
}

Tensor slice_batch(const Tensor& batch, int begin, int end) {
  Tensor out;
  slice_batch(batch, begin, end, out);
  return out;
}

void slice_batch(const Tensor& batch, int begin, int end, Tensor& out) {
  if (batch.rank() < 1 || begin < 0 || end < begin || end > batch.dim(0))
    throw ShapeError("slice_batch: items [" + std::to_string(begin) + ", " + std::to_string(end) + ") of " +
                     shape_string(batch.shape()));
  Shape shape = batch.shape();
  const std::size_t item = batch.dim(0) ? batch.size() / static_cast<std::size_t>(batch.dim(0)) : 0;
  shape[0] = end - begin;
  out.resize(shape);
  const Scalar* first = batch.data() + static_cast<std::size_t>(begin) * item;
  std::copy(first, first + static_cast<std::size_t>(end - begin) * item, out.data());
}

Tensor concat_batch(const std::vector<Tensor>& parts) {
  if (parts.empty()) throw ShapeError("concat_batch: no parts");
  Shape shape = parts[0].shape();
  std::vector<Scalar> values;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    Shape item = parts[i].shape(), first = parts[0].shape();
    if (item.empty() || item.size() != first.size() || !std::equal(item.begin() + 1, item.end(), first.begin() + 1))
      throw ShapeError("concat_batch: part " + shape_string(item) + " does not fit part " + shape_string(first));
    if (i) shape[0] += item[0];
    values.insert(values.end(), parts[i].values().begin(), parts[i].values().end());
  }
  return Tensor(shape, std::move(values));
}

double max_abs_difference(const Tensor& a, const Tensor& b) {
  require_same_shape("max_abs_difference", a, b);
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - double(b[i])));
  return m;
}

}  // namespace gcam
