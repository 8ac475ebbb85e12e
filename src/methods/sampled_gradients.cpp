// Attributions that average gradients taken at random points around or below
// the image (attribution.hpp): the noise tunnel (SmoothGrad, SmoothGrad²,
// VarGrad) and GradientSHAP.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/core/rng.hpp"
#include "gcam/methods/attribution.hpp"

namespace gcam {

namespace {

// σ of each image's noise: smoothgrad_sigma · (max x − min x).
std::vector<double> noise_scales(const Tensor& images, double sigma) {
  const int N = images.dim(0);
  const std::size_t per_image = images.size() / static_cast<std::size_t>(N);
  std::vector<double> scale(static_cast<std::size_t>(N));
  for (int n = 0; n < N; ++n) {
    const Scalar* x = images.data() + std::size_t(n) * per_image;
    const auto [lo, hi] = std::minmax_element(x, x + per_image);
    scale[std::size_t(n)] = sigma * double(*hi - *lo);
  }
  return scale;
}

}  // namespace

// The gradients g_s at x + ε_s, ε_s ~ N(0, σ²), reduced to their means of |g|, g and g².
NoisyGradients noisy_gradients(Model& model, const Tensor& images, const std::vector<int>& classes,
                               const MethodOptions& options, std::uint64_t seed) {
  check_images("noisy_gradients", images);
  const int samples = std::max(1, options.smoothgrad_samples);
  const std::size_t per_image = images.size() / static_cast<std::size_t>(images.dim(0));
  const std::vector<double> sigma = noise_scales(images, options.smoothgrad_sigma);
  Rng rng(seed);
  NoisyGradients out{Tensor(images.shape()), Tensor(images.shape()), Tensor(images.shape())};
  const Scalar share = Scalar(1) / Scalar(samples);
  for (int s = 0; s < samples; ++s) {
    Tensor noisy = images;
    for (std::size_t e = 0; e < noisy.size(); ++e) noisy[e] += static_cast<Scalar>(sigma[e / per_image] * rng.normal());
    const Tensor g = input_gradients(model, noisy, classes, options);
    for (std::size_t e = 0; e < g.size(); ++e) {
      out.mean_abs[e] += std::abs(g[e]) * share;
      out.mean[e] += g[e] * share;
      out.mean_square[e] += g[e] * g[e] * share;
    }
  }
  return out;
}

// SmoothGrad: M = Σ_c (1/n) Σ_s |g_s|.
Tensor smoothgrad_map(Model& model, const Tensor& images, const std::vector<int>& classes, const MethodOptions& options,
                      std::uint64_t seed) {
  return sum_channels(noisy_gradients(model, images, classes, options, seed).mean_abs);
}

// SmoothGrad²: M = Σ_c (1/n) Σ_s g_s².
Tensor smoothgrad_squared_map(const NoisyGradients& noisy) { return sum_channels(noisy.mean_square); }

// VarGrad: M = Σ_c [(1/n) Σ_s g_s² − ((1/n) Σ_s g_s)²].
Tensor vargrad_map(const NoisyGradients& noisy) {
  require_same_shape("vargrad_map", noisy.mean, noisy.mean_square);
  Tensor variance(noisy.mean.shape());
  for (std::size_t e = 0; e < variance.size(); ++e)
    variance[e] =
        std::max(noisy.mean_square[e] - noisy.mean[e] * noisy.mean[e], Scalar(0));  // rounding can dip below 0
  return sum_channels(variance);
}

// GradientSHAP: φ = (1/n) Σ_s (x − b_s) ⊙ ∂y^c/∂x at b_s + α_s (x − b_s).
Tensor gradient_shap(Model& model, const Tensor& images, const std::vector<int>& classes, const Tensor& baselines,
                     const MethodOptions& options, std::uint64_t seed) {
  check_images("gradient_shap", images);
  if (baselines.rank() != 4 || baselines.dim(0) < 1 || baselines.dim(1) != images.dim(1) ||
      baselines.dim(2) != images.dim(2) || baselines.dim(3) != images.dim(3))
    throw ShapeError("gradient_shap: baselines must be (B >= 1, C, H, W) like the images " +
                     shape_string(images.shape()) + ", got " + shape_string(baselines.shape()));
  const int N = images.dim(0), samples = std::max(1, options.shap_samples);
  const std::size_t per_image = images.size() / static_cast<std::size_t>(N);
  Rng rng(seed);
  Tensor phi(images.shape()), point(images.shape()), difference(images.shape());
  for (int s = 0; s < samples; ++s) {
    for (int n = 0; n < N; ++n) {
      const std::size_t b = std::size_t(rng.below(std::uint64_t(baselines.dim(0))));
      const Scalar alpha = static_cast<Scalar>(rng.uniform());
      for (std::size_t e = n * per_image; e < (n + 1) * per_image; ++e) {
        const Scalar base = baselines[b * per_image + e % per_image];
        difference[e] = images[e] - base;
        point[e] = base + alpha * difference[e];
      }
    }
    const Tensor g = input_gradients(model, point, classes, options);
    for (std::size_t e = 0; e < phi.size(); ++e) phi[e] += difference[e] * g[e] / Scalar(samples);
  }
  return phi;
}

}  // namespace gcam
