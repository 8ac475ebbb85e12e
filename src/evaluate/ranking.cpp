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

namespace {

void check_sizes(const char* op, const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw std::invalid_argument(std::string(op) + ": sizes differ (" + std::to_string(a.size()) + " and " +
                                std::to_string(b.size()) + ")");
}

}  // namespace

// Pearson correlation of the two samples; 0 when either has no variance.
double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  check_sizes("pearson", a, b);
  auto constant = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
  };
  if (a.empty() || constant(a) || constant(b)) return 0;  // exactly, not a rounding residue of the means
  const double n = double(a.size());
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) ma += a[i] / n, mb += b[i] / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sxy += (a[i] - ma) * (b[i] - mb);
    sxx += (a[i] - ma) * (a[i] - ma);
    syy += (b[i] - mb) * (b[i] - mb);
  }
  if (sxx <= 0 || syy <= 0) return 0;
  return sxy / std::sqrt(sxx * syy);
}

// Spearman's ρ: Pearson's ρ of the average ranks.
double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  check_sizes("spearman", a, b);
  return pearson(average_ranks(a), average_ranks(b));
}

}  // namespace gcam
