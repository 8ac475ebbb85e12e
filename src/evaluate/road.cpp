// ROAD (Rong et al. 2022): remove pixels by relevance, fill them by noisy
// linear imputation so the shape of the hole does not leak the class, score.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

Tensor noisy_linear_imputation(const Tensor& image, const std::vector<std::uint8_t>& removed, double noise_sigma,
                               Rng& rng, int iterations) {
  if (image.rank() != 3)
    throw ShapeError("noisy_linear_imputation: image must be (C, H, W), got " + shape_string(image.shape()));
  const int C = image.dim(0), H = image.dim(1), W = image.dim(2), P = H * W;
  if (int(removed.size()) != P)
    throw std::invalid_argument("noisy_linear_imputation: removed has " + std::to_string(removed.size()) +
                                " entries for " + std::to_string(P) + " pixels");
  Tensor out = image;
  std::vector<int> holes;
  for (int p = 0; p < P; ++p)
    if (removed[std::size_t(p)]) holes.push_back(p);
  if (holes.empty()) return out;
  // The 8 neighbours with weights 1/6 (edge) and 1/12 (diagonal).
  static const int dy[8] = {-1, 1, 0, 0, -1, -1, 1, 1}, dx[8] = {0, 0, -1, 1, -1, 1, -1, 1};
  static const double w[8] = {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 12, 1.0 / 12, 1.0 / 12, 1.0 / 12};
  const double omega = 1.8;  // over-relaxation: plain Gauss–Seidel (ω = 1) needs thousands of sweeps on big holes
  for (int c = 0; c < C; ++c) {
    Scalar* x = out.data() + std::size_t(c) * std::size_t(P);
    double kept_sum = 0;
    int kept = 0;
    for (int p = 0; p < P; ++p)
      if (!removed[std::size_t(p)]) kept_sum += x[p], ++kept;
    const double start = kept > 0 ? kept_sum / kept : 0.0;
    for (int p : holes) x[p] = Scalar(start);
    if (kept == 0) continue;  // no known value: the system has no unique solution; keep 0 (then noise)
    for (int sweep = 0; sweep < iterations; ++sweep) {
      double moved = 0;
      for (int p : holes) {
        const int y = p / W, xx = p % W;
        double num = 0, den = 0;
        for (int k = 0; k < 8; ++k) {
          const int ny = y + dy[k], nx = xx + dx[k];
          if (ny < 0 || ny >= H || nx < 0 || nx >= W) continue;  // renormalize at the border
          num += w[k] * x[ny * W + nx];
          den += w[k];
        }
        const double delta = omega * (num / den - x[p]);
        x[p] = Scalar(x[p] + delta);
        moved = std::max(moved, std::abs(delta));
      }
      if (moved < 1e-6) break;
    }
  }
  if (noise_sigma > 0)
    for (int c = 0; c < C; ++c)
      for (int p : holes) out[std::size_t(c) * std::size_t(P) + std::size_t(p)] += Scalar(noise_sigma * rng.normal());
  return out;
}

RoadResult road(const ScoreFunction& score, const Tensor& images, const Tensor& maps, const std::vector<int>& classes,
                const std::vector<double>& percentages, double noise_sigma, std::uint64_t seed) {
  if (images.rank() != 4) throw ShapeError("road: images must be (N, C, H, W), got " + shape_string(images.shape()));
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3), P = H * W;
  if (maps.shape() != Shape{N, 1, H, W})
    throw ShapeError("road: maps must be " + shape_string({N, 1, H, W}) + ", got " + shape_string(maps.shape()));
  if (int(classes.size()) != N) throw std::invalid_argument("road: one class per image needed");
  for (double q : percentages)
    if (!(q >= 0 && q <= 100)) throw std::invalid_argument("road: percentages must lie in [0, 100]");
  RoadResult r;
  r.percentages = percentages;
  const int Q = int(percentages.size());
  Rng rng(seed);
  // Image n, percentage q, order o (0 = MoRF, 1 = LeRF) at batch row (n·Q + q)·2 + o.
  Tensor batch({N * Q * 2, C, H, W});
  std::vector<int> batch_classes;
  const std::size_t item = std::size_t(C) * std::size_t(P);
  for (int n = 0; n < N; ++n) {
    const std::vector<int> order = relevance_order(image_map(maps, n));
    const Tensor x = slice_batch(images, n, n + 1).reshaped({C, H, W});
    for (int q = 0; q < Q; ++q) {
      const int count = int(std::lround(percentages[std::size_t(q)] / 100 * P));
      for (int o = 0; o < 2; ++o) {
        std::vector<std::uint8_t> removed(std::size_t(P), 0);
        for (int i = 0; i < count; ++i) removed[std::size_t(order[std::size_t(o == 0 ? i : P - 1 - i)])] = 1;
        const Tensor filled = noisy_linear_imputation(x, removed, noise_sigma, rng);
        std::copy(filled.data(), filled.data() + item, batch.data() + std::size_t((n * Q + q) * 2 + o) * item);
        batch_classes.push_back(classes[std::size_t(n)]);
      }
    }
  }
  const std::vector<double> s = score(batch, batch_classes);
  r.morf.assign(std::size_t(Q), 0.0);
  r.lerf.assign(std::size_t(Q), 0.0);
  for (int n = 0; n < N; ++n)
    for (int q = 0; q < Q; ++q) {
      r.morf[std::size_t(q)] += s[std::size_t((n * Q + q) * 2)] / N;
      r.lerf[std::size_t(q)] += s[std::size_t((n * Q + q) * 2 + 1)] / N;
    }
  for (int q = 0; q < Q; ++q) {
    r.morf_mean += r.morf[std::size_t(q)] / Q;
    r.lerf_mean += r.lerf[std::size_t(q)] / Q;
  }
  r.combined = (r.lerf_mean - r.morf_mean) / 2;
  return r;
}

}  // namespace gcam
