// The Quantus complexity and localisation families (complexity.hpp,
// localisation.hpp) on maps whose answers are counted by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "gcam/evaluate/complexity.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/evaluate/localisation.hpp"

using namespace gcam;

namespace {

Tensor one_hot(int n, int at) {
  Tensor m({n}, 0);
  m[std::size_t(at)] = 3;
  return m;
}

// A 4×4 object mask: the 2×2 block at rows 1..2, columns 1..2.
std::vector<std::uint8_t> block_mask() {
  std::vector<std::uint8_t> m(16, 0);
  for (int y = 1; y <= 2; ++y)
    for (int x = 1; x <= 2; ++x) m[std::size_t(y * 4 + x)] = 1;
  return m;
}

}  // namespace

TEST_CASE("sparseness is the Gini index of |m|: 1 − 1/n one-hot, 0 constant", "[quantus]") {
  CHECK(sparseness(one_hot(16, 5)) == Approx(15.0 / 16));  // G = (n − 1)/n
  CHECK(sparseness(Tensor({4, 4}, -2)) == Approx(0).margin(1e-15));
  // |m| sorted = 0, 1, 2, 3; weights 2i − n − 1 = −3, −1, 1, 3: (0 − 1 + 2 + 9) / (4 · 6) = 10/24.
  CHECK(sparseness(Tensor({4}, std::vector<Scalar>{0, 1, 2, 3})) == Approx(10.0 / 24));
  CHECK(sparseness(Tensor({4}, std::vector<Scalar>{-3, 2, 0, -1})) == Approx(10.0 / 24));  // magnitudes, any order
  CHECK(sparseness(Tensor({3, 3}, 0)) == 0);
}

TEST_CASE("entropy complexity: ln n for a constant map, 0 for one-hot", "[quantus]") {
  CHECK(entropy_complexity(Tensor({4, 4}, 0.3)) == Approx(std::log(16.0)));
  CHECK(entropy_complexity(one_hot(9, 2)) == Approx(0).margin(1e-15));
  // p = 1/4, 1/4, 1/2: H = 2 · (1/4) ln 4 + (1/2) ln 2 = 1.5 ln 2.
  CHECK(entropy_complexity(Tensor({3}, std::vector<Scalar>{-1, 1, 2})) == Approx(1.5 * std::log(2.0)));
  CHECK(entropy_complexity(Tensor({2, 2}, 0)) == 0);
}

TEST_CASE("effective complexity counts |m| above a fraction of the largest", "[quantus]") {
  const Tensor m({5}, std::vector<Scalar>{0, 0.05, 0.1, 0.5, -1});
  CHECK(effective_complexity(m, 0.1) == 2);   // 0.5 and |−1| exceed 0.1 · 1; 0.1 does not
  CHECK(effective_complexity(m, 0.01) == 4);  // all but the 0
  CHECK(effective_complexity(m, 0.0) == 4);
  CHECK(effective_complexity(Tensor({3}, 0), 0.1) == 0);
  CHECK_THROWS_AS(effective_complexity(m, 1.0), std::invalid_argument);
}

TEST_CASE("top-k intersection and relevance rank accuracy against a mask", "[quantus]") {
  const auto mask = block_mask();
  Tensor map({4, 4}, 0);
  map.at(1, 1) = 9;  // on the object
  map.at(0, 0) = 8;  // off
  map.at(2, 2) = 7;  // on
  CHECK(top_k_intersection(map, mask.data(), 1) == Approx(1));
  CHECK(top_k_intersection(map, mask.data(), 2) == Approx(0.5));
  CHECK(top_k_intersection(map, mask.data(), 3) == Approx(2.0 / 3));
  // K = |mask| = 4: the three above, then the first tied 0 in row-major order, (0, 1), off the object.
  CHECK(relevance_rank_accuracy(map, mask.data()) == Approx(0.5));
  Tensor exact({4, 4}, -1);
  for (std::size_t p = 0; p < 16; ++p)
    if (mask[p]) exact[p] = 2;
  CHECK(relevance_rank_accuracy(exact, mask.data()) == Approx(1));
  // Relevance mass accuracy is positive_energy_inside: 1 for a map inside the mask.
  CHECK(positive_energy_inside(exact, mask.data()) == Approx(1));
  const std::vector<std::uint8_t> empty(16, 0);
  CHECK(relevance_rank_accuracy(map, empty.data()) == 0);
  CHECK_THROWS_AS(top_k_intersection(map, mask.data(), 0), std::invalid_argument);
  CHECK_THROWS_AS(top_k_intersection(map, mask.data(), 17), std::invalid_argument);
}
