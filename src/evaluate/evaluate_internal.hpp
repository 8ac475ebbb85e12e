// evaluate_internal.hpp — helpers shared by the files of src/evaluate (not a
// public header): the input checks of every map metric, the plane of one
// image's map as a vector, and a backup of a model's parameters.
#pragma once

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "gcam/core/error.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/nn/model.hpp"

namespace gcam::evaluate_detail {

// Throws ShapeError unless images are (N, C, H, W) and maps (N, 1, H, W), and
// std::invalid_argument unless there is one class per image; `op` names the caller.
inline void check_maps(const char* op, const Tensor& images, const Tensor& maps, const std::vector<int>& classes) {
  if (images.rank() != 4)
    throw ShapeError(std::string(op) + ": images must be (N, C, H, W), got " + shape_string(images.shape()));
  const Shape want{images.dim(0), 1, images.dim(2), images.dim(3)};
  if (maps.shape() != want)
    throw ShapeError(std::string(op) + ": maps must be " + shape_string(want) + ", got " + shape_string(maps.shape()));
  if (int(classes.size()) != images.dim(0))
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(classes.size()) + " classes for " +
                                std::to_string(images.dim(0)) + " images");
}

// Per-image scores and their mean (each term divided by the count, then
// summed in image order, as every metric of this folder averages).
inline ImageScores mean_of(std::vector<double> per_image) {
  ImageScores r;
  for (double v : per_image) r.mean += v / double(per_image.size());
  r.per_image = std::move(per_image);
  return r;
}

// A grid of patch × patch squares over an H × W image, numbered row-major
// (the last row and column of squares may be smaller): the segments of IROF
// and monotonicity correlation.
struct PatchGrid {
  int H, W, patch, rows, cols;
  PatchGrid(int height, int width, int side)
      : H(height), W(width), patch(side), rows((height + side - 1) / side), cols((width + side - 1) / side) {}
  int count() const { return rows * cols; }
  // Calls visit(y, x) for every pixel of square k.
  void visit(int k, const std::function<void(int y, int x)>& visit_pixel) const {
    for (int y = (k / cols) * patch; y < std::min(H, (k / cols + 1) * patch); ++y)
      for (int x = (k % cols) * patch; x < std::min(W, (k % cols + 1) * patch); ++x) visit_pixel(y, x);
  }
};

// The H·W values of image n of a (N, 1, H, W) map, as doubles.
inline std::vector<double> map_plane(const Tensor& maps, int n) {
  const std::size_t P = std::size_t(maps.dim(2)) * std::size_t(maps.dim(3));
  const Scalar* m = maps.data() + std::size_t(n) * P;
  return std::vector<double>(m, m + P);
}

// Scores `copies` perturbed copies of every image: make(n, s, x) turns x, a
// copy of image n as (1, C, H, W), into its copy s. make is called for n =
// 0..N−1, s = 0..copies−1 in that order (so a shared Rng gives reproducible
// copies). The copies go through `score` about 2048 at a time, each with its
// image's class. Returns scores[n][s].
std::vector<std::vector<double>> score_copies(const ScoreFunction& score, const Tensor& images,
                                              const std::vector<int>& classes, int copies,
                                              const std::function<void(int n, int s, Tensor& x)>& make);

// ‖v‖₂ of all elements.
double l2_norm(const Tensor& v);

// Saves every parameter tensor of a model and puts them back on destruction
// (so also when an exception leaves the scope).
class ParameterBackup {
 public:
  explicit ParameterBackup(Model& model) : params_(model.parameters()) {
    for (Parameter* p : params_) saved_.push_back(p->value);
  }
  ~ParameterBackup() {
    for (std::size_t i = 0; i < params_.size(); ++i) params_[i]->value = saved_[i];
  }
  ParameterBackup(const ParameterBackup&) = delete;
  ParameterBackup& operator=(const ParameterBackup&) = delete;

 private:
  std::vector<Parameter*> params_;
  std::vector<Tensor> saved_;
};

}  // namespace gcam::evaluate_detail
