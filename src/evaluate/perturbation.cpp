// Deletion and insertion curves (RISE), their AUC, and the Gaussian blur that
// insertion starts from.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "evaluate_internal.hpp"
#include "gcam/core/error.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/gradcam/gradcam.hpp"

namespace gcam {

double trapezoid_auc(const std::vector<double>& y) {
  if (y.size() < 2) return 0;
  const double dx = 1.0 / double(y.size() - 1);
  double area = 0;
  for (std::size_t t = 1; t < y.size(); ++t) area += (y[t - 1] + y[t]) / 2 * dx;
  return area;
}

Tensor gaussian_blur(const Tensor& images, int size, double sigma) {
  if (images.rank() != 4)
    throw ShapeError("gaussian_blur: images must be (N, C, H, W), got " + shape_string(images.shape()));
  if (size < 1 || sigma <= 0) throw std::invalid_argument("gaussian_blur: need size >= 1 and sigma > 0");
  const int r = size / 2;
  std::vector<double> k(std::size_t(2 * r + 1));
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[std::size_t(i + r)] = std::exp(-double(i * i) / (2 * sigma * sigma));
  for (double& w : k) w /= sum;
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3);
  Tensor rows(images.shape()), out(images.shape());
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      for (int y = 0; y < H; ++y)  // along x
        for (int x = 0; x < W; ++x) {
          double v = 0;
          for (int i = -r; i <= r; ++i) v += k[std::size_t(i + r)] * images.at(n, c, y, std::clamp(x + i, 0, W - 1));
          rows.at(n, c, y, x) = Scalar(v);
        }
      for (int y = 0; y < H; ++y)  // along y
        for (int x = 0; x < W; ++x) {
          double v = 0;
          for (int i = -r; i <= r; ++i) v += k[std::size_t(i + r)] * rows.at(n, c, std::clamp(y + i, 0, H - 1), x);
          out.at(n, c, y, x) = Scalar(v);
        }
    }
  return out;
}

namespace {

using evaluate_detail::check_maps;

// x_t = start with the first round(f_t·H·W) pixels of relevance_order(map)
// taken from `target`, t = 0..steps; scored in groups of about 2048 images.
PerturbationCurve perturbation_curve(const char* op, const ScoreFunction& score, const Tensor& start,
                                     const Tensor& target, const Tensor& maps, const std::vector<int>& classes,
                                     int steps) {
  check_maps(op, target, maps, classes);
  if (steps < 1) throw std::invalid_argument(std::string(op) + ": steps must be >= 1");
  const int N = target.dim(0), C = target.dim(1), H = target.dim(2), W = target.dim(3), P = H * W;
  const int T = steps + 1;
  PerturbationCurve curve;
  for (int t = 0; t < T; ++t) curve.fractions.push_back(double(t) / steps);
  curve.scores.assign(std::size_t(N), std::vector<double>(std::size_t(T)));
  const int group = std::max(1, 2048 / T);
  for (int begin = 0; begin < N; begin += group) {
    const int end = std::min(N, begin + group);
    Tensor batch({(end - begin) * T, C, H, W});
    std::vector<int> batch_classes;
    for (int n = begin; n < end; ++n) {
      const std::vector<int> order = relevance_order(image_map(maps, n));
      Tensor x = slice_batch(start, n, n + 1);
      int done = 0;
      for (int t = 0; t < T; ++t) {
        const int upto = int(std::lround(double(t) / steps * P));
        for (; done < upto; ++done) {
          const int p = order[std::size_t(done)];
          for (int c = 0; c < C; ++c) x.at(0, c, p / W, p % W) = target.at(n, c, p / W, p % W);
        }
        std::copy(x.data(), x.data() + x.size(), batch.data() + std::size_t((n - begin) * T + t) * x.size());
        batch_classes.push_back(classes[std::size_t(n)]);
      }
    }
    const std::vector<double> s = score(batch, batch_classes);
    for (int n = begin; n < end; ++n)
      for (int t = 0; t < T; ++t) curve.scores[std::size_t(n)][std::size_t(t)] = s[std::size_t((n - begin) * T + t)];
  }
  curve.mean.assign(std::size_t(T), 0.0);
  for (int n = 0; n < N; ++n) {
    curve.auc.push_back(trapezoid_auc(curve.scores[std::size_t(n)]));
    curve.mean_auc += curve.auc.back() / N;
    for (int t = 0; t < T; ++t) curve.mean[std::size_t(t)] += curve.scores[std::size_t(n)][std::size_t(t)] / N;
  }
  return curve;
}

}  // namespace

PerturbationCurve deletion_curve(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                 const std::vector<int>& classes, int steps) {
  return perturbation_curve("deletion_curve", score, images, Tensor(images.shape(), 0), maps, classes, steps);
}

PerturbationCurve insertion_curve(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                  const std::vector<int>& classes, int steps) {
  check_maps("insertion_curve", images, maps, classes);
  return perturbation_curve("insertion_curve", score, gaussian_blur(images), images, maps, classes, steps);
}

// ---- Average Drop / Increase in Confidence ----------------------------------------

Tensor mask_from_map(const Tensor& maps) {
  if (maps.rank() != 4 || maps.dim(1) != 1)
    throw ShapeError("mask_from_map: maps must be (N, 1, H, W), got " + shape_string(maps.shape()));
  Tensor out(maps.shape());
  const std::size_t P = std::size_t(maps.dim(2)) * std::size_t(maps.dim(3));
  for (int n = 0; n < maps.dim(0); ++n) {
    const Scalar* m = maps.data() + std::size_t(n) * P;
    const double top = *std::max_element(m, m + P);
    if (top <= 0) continue;
    for (std::size_t p = 0; p < P; ++p) out[std::size_t(n) * P + p] = Scalar(std::max(0.0, double(m[p])) / top);
  }
  return out;
}

ConfidenceChange confidence_change(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                   const std::vector<int>& classes) {
  check_maps("confidence_change", images, maps, classes);
  const Tensor mask = mask_from_map(maps);
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3);
  Tensor masked(images.shape());
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) masked.at(n, c, y, x) = images.at(n, c, y, x) * mask.at(n, 0, y, x);
  ConfidenceChange r;
  r.original = score(images, classes);
  r.masked = score(masked, classes);
  for (int n = 0; n < N; ++n) {
    const double y = r.original[std::size_t(n)], o = r.masked[std::size_t(n)];
    if (y > 0) r.average_drop += 100.0 * std::max(0.0, y - o) / y / N;
    r.increase += (o > y ? 1.0 : 0.0) / N;
  }
  return r;
}

// ---- baselines ----------------------------------------------------------------------

Tensor random_map(const Tensor& images, std::uint64_t seed) {
  if (images.rank() != 4)
    throw ShapeError("random_map: images must be (N, C, H, W), got " + shape_string(images.shape()));
  Tensor out({images.dim(0), 1, images.dim(2), images.dim(3)});
  Rng rng(seed);
  for (std::size_t e = 0; e < out.size(); ++e) out[e] = Scalar(rng.uniform());
  return out;
}

Tensor sobel_map(const Tensor& images) {
  if (images.rank() != 4)
    throw ShapeError("sobel_map: images must be (N, C, H, W), got " + shape_string(images.shape()));
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3);
  Tensor out({N, 1, H, W});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
          auto v = [&](int dy, int dx) {
            return double(images.at(n, c, std::clamp(y + dy, 0, H - 1), std::clamp(x + dx, 0, W - 1)));
          };
          const double gx = -v(-1, -1) + v(-1, 1) - 2 * v(0, -1) + 2 * v(0, 1) - v(1, -1) + v(1, 1);
          const double gy = -v(-1, -1) + v(1, -1) - 2 * v(-1, 0) + 2 * v(1, 0) - v(-1, 1) + v(1, 1);
          out.at(n, 0, y, x) += Scalar(std::sqrt(gx * gx + gy * gy));
        }
  return out;
}

}  // namespace gcam
