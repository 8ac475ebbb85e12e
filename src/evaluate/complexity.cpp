// The Quantus complexity family: Gini sparseness, entropy, effective complexity.
#include "gcam/evaluate/complexity.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace gcam {

namespace {

std::vector<double> magnitudes(const Tensor& map) {
  std::vector<double> v(map.size());
  for (std::size_t i = 0; i < map.size(); ++i) v[i] = std::fabs(double(map[i]));
  return v;
}

}  // namespace

// Sparseness (Chalasani et al. 2020): Gini index of |m| sorted ascending.
double sparseness(const Tensor& map) {
  std::vector<double> v = magnitudes(map);
  std::sort(v.begin(), v.end());
  const double n = double(v.size());
  double total = 0, weighted = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    total += v[i];
    weighted += (2 * double(i + 1) - n - 1) * v[i];
  }
  return total > 0 ? weighted / (n * total) : 0.0;
}

// Complexity (Bhatt et al. 2020): Shannon entropy of |m| / Σ|m|.
double entropy_complexity(const Tensor& map) {
  const std::vector<double> v = magnitudes(map);
  double total = 0;
  for (double x : v) total += x;
  if (total <= 0) return 0;
  double h = 0;
  for (double x : v)
    if (x > 0) h -= x / total * std::log(x / total);
  return h;
}

// Effective complexity (Nguyen & Martínez 2020): #{ |m_i| > fraction · max |m| }.
std::size_t effective_complexity(const Tensor& map, double fraction) {
  if (!(fraction >= 0 && fraction < 1))
    throw std::invalid_argument("effective_complexity: fraction must lie in [0, 1), got " + std::to_string(fraction));
  const std::vector<double> v = magnitudes(map);
  const double top = v.empty() ? 0.0 : *std::max_element(v.begin(), v.end());
  if (top <= 0) return 0;
  return std::size_t(std::count_if(v.begin(), v.end(), [&](double x) { return x > fraction * top; }));
}

}  // namespace gcam
