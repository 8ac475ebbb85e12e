// Orders and ranks: which pixels come first, and Spearman's ρ with ties.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

std::vector<int> relevance_order(const Tensor& map) {
  std::vector<int> order(map.size());
  std::iota(order.begin(), order.end(), 0);
  const Scalar* m = map.data();
  std::stable_sort(order.begin(), order.end(), [m](int a, int b) { return m[a] > m[b]; });
  return order;
}

// Sort, then give each run of equal values the mean of the ranks it spans:
// a run covering sorted positions i..j−1 (0-based) gets (i + 1 + j) / 2.
std::vector<double> average_ranks(const std::vector<double>& values) {
  const std::size_t n = values.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && values[order[j]] == values[order[i]]) ++j;
    const double rank = (double(i + 1) + double(j)) / 2;
    for (std::size_t k = i; k < j; ++k) ranks[order[k]] = rank;
    i = j;
  }
  return ranks;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw std::invalid_argument("spearman: sizes differ (" + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + ")");
  if (a.empty()) return 0;
  const std::vector<double> r = average_ranks(a), s = average_ranks(b);
  const double mean = (double(a.size()) + 1) / 2;  // the mean of any average ranking of n items
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    sxy += (r[i] - mean) * (s[i] - mean);
    sxx += (r[i] - mean) * (r[i] - mean);
    syy += (s[i] - mean) * (s[i] - mean);
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

}  // namespace gcam
