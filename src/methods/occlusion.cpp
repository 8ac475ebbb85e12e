// Occlusion (attribution.hpp): the drop of y^c when a patch of the image is
// set to 0, spread over the pixels of the patch. Forward passes only.
#include <algorithm>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/methods/attribution.hpp"
#include "gcam/nn/predict.hpp"

namespace gcam {

namespace {

// Top-left corners 0, s, 2s, … that fit, plus one flush with the far edge if pixels are left uncovered.
std::vector<int> patch_corners(int size, int window, int stride) {
  std::vector<int> corners;
  for (int at = 0; at + window <= size; at += stride) corners.push_back(at);
  if (corners.empty() || corners.back() + window < size) corners.push_back(std::max(0, size - window));
  return corners;
}

struct Patch {
  int top, left;
};

}  // namespace

// Occlusion: φ_ij = mean over the patches p covering (i, j) of y^c(x) − y^c(x with p set to 0).
Tensor occlusion_map(Model& model, const Tensor& images, const std::vector<int>& classes,
                     const MethodOptions& options) {
  check_images("occlusion_map", images);
  check_classes("occlusion_map", classes, images.dim(0), model.classes());
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3);
  const int window = options.occlusion_window, stride = options.occlusion_stride;
  if (window < 1 || stride < 1 || stride > window || window > std::min(H, W))  // a larger stride leaves gaps
    throw std::invalid_argument(
        "occlusion_map: need 1 <= stride <= window <= min(H, W) = " + std::to_string(std::min(H, W)) + ", got window " +
        std::to_string(window) + ", stride " + std::to_string(stride));
  std::vector<Patch> patches;
  for (int top : patch_corners(H, window, stride))
    for (int left : patch_corners(W, window, stride)) patches.push_back({top, left});
  const Tensor full = predict(model, images, options.kernels, options.pool);
  const int P = int(patches.size()), per_pass = std::max(1, options.batch);
  Tensor total({N, 1, H, W}), covered({N, 1, H, W});
  for (int n = 0; n < N; ++n) {
    const Tensor image = slice_batch(images, n, n + 1);
    const int c = classes[std::size_t(n)];
    for (int first = 0; first < P; first += per_pass) {
      const int count = std::min(per_pass, P - first);
      Tensor occluded({count, C, H, W});
      for (int p = 0; p < count; ++p) {
        const Patch& patch = patches[std::size_t(first + p)];
        for (int ch = 0; ch < C; ++ch)
          for (int i = 0; i < H; ++i)
            for (int j = 0; j < W; ++j) {
              const bool inside =
                  i >= patch.top && i < patch.top + window && j >= patch.left && j < patch.left + window;
              occluded.at(p, ch, i, j) = inside ? Scalar(0) : image.at(0, ch, i, j);
            }
      }
      const Tensor logits = predict(model, occluded, options.kernels, options.pool);
      for (int p = 0; p < count; ++p) {
        const Patch& patch = patches[std::size_t(first + p)];
        const Scalar drop = full.at(n, c) - logits.at(p, c);  // Δ_p
        for (int i = patch.top; i < patch.top + window; ++i)
          for (int j = patch.left; j < patch.left + window; ++j) {
            total.at(n, 0, i, j) += drop;
            covered.at(n, 0, i, j) += 1;
          }
      }
    }
  }
  for (std::size_t e = 0; e < total.size(); ++e) total[e] /= covered[e];  // every pixel is covered at least once
  return total;
}

}  // namespace gcam
