// The Quantus localisation family against a ground-truth mask: top-k
// intersection and relevance rank accuracy.
#include "gcam/evaluate/localisation.hpp"

#include <stdexcept>
#include <string>

#include "gcam/evaluate/faithfulness.hpp"

namespace gcam {

// Top-k intersection (Theiner et al. 2021): |top_k(m) ∩ mask| / k.
double top_k_intersection(const Tensor& map, const std::uint8_t* mask, std::size_t k) {
  if (k < 1 || k > map.size())
    throw std::invalid_argument("top_k_intersection: k = " + std::to_string(k) + " for a map of " +
                                std::to_string(map.size()) + " pixels (need 1..H·W)");
  const std::vector<int> order = relevance_order(map);
  std::size_t inside = 0;
  for (std::size_t i = 0; i < k; ++i) inside += mask[order[i]] != 0;
  return double(inside) / double(k);
}

// Relevance rank accuracy (Arras et al. 2022): top-k intersection with k = |mask|.
double relevance_rank_accuracy(const Tensor& map, const std::uint8_t* mask) {
  std::size_t K = 0;
  for (std::size_t p = 0; p < map.size(); ++p) K += mask[p] != 0;
  return K == 0 ? 0.0 : top_k_intersection(map, mask, K);
}

}  // namespace gcam
