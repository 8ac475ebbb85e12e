// Faithfulness correlation, infidelity, IROF and monotonicity correlation (the Quantus faithfulness
// family; deletion, insertion and ROAD are in perturbation.cpp and road.cpp).
#include "gcam/evaluate/model_faithfulness.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "evaluate_internal.hpp"
#include "gcam/core/rng.hpp"

namespace gcam {

using evaluate_detail::check_maps;
using evaluate_detail::mean_of;
using evaluate_detail::score_copies;

namespace {

void set_pixel(Tensor& x, int p, double value) {
  const int W = x.dim(3);
  for (int c = 0; c < x.dim(1); ++c) x.at(0, c, p / W, p % W) = Scalar(value);
}

}  // namespace

// Faithfulness correlation (Bhatt et al. 2020): ρ(Σ_{p∈S} m_p, f(x) − f(x_S)) over random subsets S.
ImageScores faithfulness_correlation(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                     const std::vector<int>& classes, int subset_size, int samples,
                                     std::uint64_t seed) {
  check_maps("faithfulness_correlation", images, maps, classes);
  const int N = images.dim(0), P = images.dim(2) * images.dim(3);
  if (subset_size < 1 || subset_size > P || samples < 2)
    throw std::invalid_argument("faithfulness_correlation: need 1 <= subset_size <= H·W = " + std::to_string(P) +
                                " and samples >= 2, got " + std::to_string(subset_size) + " and " +
                                std::to_string(samples));
  Rng rng(seed);
  std::vector<int> pixels(std::size_t(P), 0);
  std::iota(pixels.begin(), pixels.end(), 0);
  std::vector<std::vector<double>> sums(static_cast<std::size_t>(N));
  const auto scores = score_copies(score, images, classes, samples + 1, [&](int n, int s, Tensor& x) {
    if (s == 0) return;  // copy 0: the image itself
    double sum = 0;
    for (int i = 0; i < subset_size; ++i) {  // a partial Fisher–Yates shuffle draws the subset
      std::swap(pixels[std::size_t(i)], pixels[std::size_t(i) + std::size_t(rng.below(std::uint64_t(P - i)))]);
      const int p = pixels[std::size_t(i)];
      sum += double(maps[std::size_t(n) * std::size_t(P) + std::size_t(p)]);
      set_pixel(x, p, 0);
    }
    sums[std::size_t(n)].push_back(sum);
  });
  std::vector<double> rho;
  for (int n = 0; n < N; ++n) {
    const auto& f = scores[std::size_t(n)];
    std::vector<double> drops;
    for (int s = 1; s <= samples; ++s) drops.push_back(f[0] - f[std::size_t(s)]);
    rho.push_back(pearson(sums[std::size_t(n)], drops));
  }
  return mean_of(rho);
}

// Infidelity (Yeh et al. 2019): E_I[(Iᵀm − (f(x) − f(x − I)))²], I ~ N(0, σ²) per pixel.
ImageScores infidelity(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                       const std::vector<int>& classes, double sigma, int samples, std::uint64_t seed) {
  check_maps("infidelity", images, maps, classes);
  if (!(sigma > 0) || samples < 1)
    throw std::invalid_argument("infidelity: need sigma > 0 and samples >= 1, got " + std::to_string(sigma) + " and " +
                                std::to_string(samples));
  const int N = images.dim(0), W = images.dim(3), P = images.dim(2) * W;
  Rng rng(seed);
  std::vector<std::vector<double>> dots(static_cast<std::size_t>(N));  // Iᵀm per copy
  const auto scores = score_copies(score, images, classes, samples + 1, [&](int n, int s, Tensor& x) {
    if (s == 0) return;
    double dot = 0;
    for (int p = 0; p < P; ++p) {
      const double I = sigma * rng.normal();
      dot += I * double(maps[std::size_t(n) * std::size_t(P) + std::size_t(p)]);
      for (int c = 0; c < x.dim(1); ++c) x.at(0, c, p / W, p % W) = Scalar(double(x.at(0, c, p / W, p % W)) - I);
    }
    dots[std::size_t(n)].push_back(dot);
  });
  std::vector<double> per_image;
  for (int n = 0; n < N; ++n) {
    const auto& f = scores[std::size_t(n)];
    double sum = 0;
    for (int s = 1; s <= samples; ++s) {
      const double gap = dots[std::size_t(n)][std::size_t(s - 1)] - (f[0] - f[std::size_t(s)]);
      sum += gap * gap;
    }
    per_image.push_back(sum / samples);
  }
  return mean_of(per_image);
}

// IROF (Rieger & Hansen 2020): 1 − AUC of f(x_k)/f(x), segments removed by decreasing mean relevance.
ImageScores irof(const ScoreFunction& score, const Tensor& images, const Tensor& maps, const std::vector<int>& classes,
                 int patch) {
  check_maps("irof", images, maps, classes);
  if (patch < 1) throw std::invalid_argument("irof: patch must be >= 1, got " + std::to_string(patch));
  const int N = images.dim(0), C = images.dim(1), H = images.dim(2), W = images.dim(3);
  const evaluate_detail::PatchGrid grid(H, W, patch);
  const int K = grid.count();
  std::vector<std::vector<int>> orders(static_cast<std::size_t>(N));  // segments by decreasing mean relevance
  for (int n = 0; n < N; ++n) {
    Tensor means({1, K});
    for (int k = 0; k < K; ++k) {
      double sum = 0, count = 0;
      grid.visit(k, [&](int y, int x) { sum += maps.at(n, 0, y, x), ++count; });
      means[std::size_t(k)] = Scalar(sum / count);
    }
    orders[std::size_t(n)] = relevance_order(means);
  }
  const auto scores = score_copies(score, images, classes, K + 1, [&](int n, int s, Tensor& x) {
    for (int c = 0; c < C; ++c) {
      double mean = 0;
      for (int p = 0; p < H * W; ++p) mean += double(images[(std::size_t(n) * C + c) * std::size_t(H * W) + p]);
      mean /= H * W;
      for (int i = 0; i < s; ++i)
        grid.visit(orders[std::size_t(n)][std::size_t(i)], [&](int y, int xx) { x.at(0, c, y, xx) = Scalar(mean); });
    }
  });
  std::vector<double> per_image;
  for (const auto& f : scores) {
    if (!(f[0] > 0)) {
      per_image.push_back(0);
      continue;
    }
    std::vector<double> y;
    for (double v : f) y.push_back(v / f[0]);
    per_image.push_back(1 - trapezoid_auc(y));
  }
  return mean_of(per_image);
}

// Monotonicity correlation: ρ = spearman(|Σ_{p∈k} m_p|, |f(x) − f(x with square k at 0)|) over the squares k.
ImageScores monotonicity_correlation(const ScoreFunction& score, const Tensor& images, const Tensor& maps,
                                     const std::vector<int>& classes, int patch) {
  check_maps("monotonicity_correlation", images, maps, classes);
  if (patch < 1)
    throw std::invalid_argument("monotonicity_correlation: patch must be >= 1, got " + std::to_string(patch));
  const int N = images.dim(0);
  const evaluate_detail::PatchGrid grid(images.dim(2), images.dim(3), patch);
  const int K = grid.count();
  const auto scores = score_copies(score, images, classes, K + 1, [&](int, int s, Tensor& x) {
    if (s > 0) grid.visit(s - 1, [&](int y, int xx) { set_pixel(x, y * x.dim(3) + xx, 0); });
  });
  std::vector<double> per_image;
  for (int n = 0; n < N; ++n) {
    std::vector<double> relevance(static_cast<std::size_t>(K), 0.0), effect(static_cast<std::size_t>(K), 0.0);
    for (int k = 0; k < K; ++k) {
      grid.visit(k, [&](int y, int x) { relevance[std::size_t(k)] += maps.at(n, 0, y, x); });
      relevance[std::size_t(k)] = std::abs(relevance[std::size_t(k)]);
      effect[std::size_t(k)] = std::abs(scores[std::size_t(n)][0] - scores[std::size_t(n)][std::size_t(k) + 1]);
    }
    per_image.push_back(spearman(relevance, effect));
  }
  return mean_of(per_image);
}

}  // namespace gcam
