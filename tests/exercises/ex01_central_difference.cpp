// Exercise ex01 checks: central_difference (G1) and relative_error (G2).
// docs/exercises/ex01-central-difference.md
#include <algorithm>
#include <cmath>
#include <vector>

#include "exercise_checks.hpp"
#include "gcam/gradcheck/gradcheck.hpp"

using namespace gcam;
using namespace gcam_exercise;

namespace {
const char* const kPage = "docs/exercises/ex01-central-difference.md, eq. (G1) in include/gcam/gradcheck/gradcheck.hpp";
const char* const kPageG2 =
    "docs/exercises/ex01-central-difference.md, eq. (G2) in include/gcam/gradcheck/gradcheck.hpp";
}  // namespace

TEST_CASE("ex01 (G1) central_difference by hand: exact for x^2, off by h^2 for x^3", "[exercise][ex01][float]") {
  // ((3.5)² − (2.5)²) / (2·0.5) = (12.25 − 6.25) / 1 = 6 = f'(3); a forward difference would give 6.5.
  check_value("central_difference(x², x = 3, h = 0.5)", central_difference([](double x) { return x * x; }, 3, 0.5), 6,
              kPage);
  // ((x+h)³ − (x−h)³) / 2h = 3x² + h²: 12.01 at x = 2, h = 0.1 (a forward difference: 12.61).
  check_value("central_difference(x³, x = 2, h = 0.1)", central_difference([](double x) { return x * x * x; }, 2, 0.1),
              12.01, kPage, 1e-12);
  // A line: exact for any step.
  check_value("central_difference(5 − 2x, x = -7, h = 0.25)",
              central_difference([](double x) { return 5 - 2 * x; }, -7, 0.25), -2, kPage, 1e-12);
}

TEST_CASE("ex01 (G1) central_difference evaluates f exactly at x + h and x - h", "[exercise][ex01][float]") {
  std::vector<double> points;
  const auto f = [&](double x) {
    points.push_back(x);
    return std::exp(x);
  };
  const double d = central_difference(f, 1.5, 0.125);
  INFO("f was evaluated " << points.size() << " times; (G1) needs f(x + h) and f(x - h) only. Read " << kPage);
  REQUIRE(points.size() == 2);
  std::sort(points.begin(), points.end());
  check_value("the point below x", points[0], 1.375, kPage, 0);
  check_value("the point above x", points[1], 1.625, kPage, 0);
  check_value("central_difference(exp, 1.5, 0.125)", d, (std::exp(1.625) - std::exp(1.375)) / 0.25, kPage, 1e-14);
}

TEST_CASE("ex01 (G1) the error of central_difference shrinks like h^2", "[exercise][ex01][float]") {
  // f = sin at x = 1: error ≈ |f'''(1)| h²/6. Ten times smaller h, a hundred times smaller error.
  const auto f = [](double x) { return std::sin(x); };
  const double e1 = std::fabs(central_difference(f, 1, 1e-2) - std::cos(1.0));
  const double e2 = std::fabs(central_difference(f, 1, 1e-3) - std::cos(1.0));
  check_value("error at h = 1e-2 (should be cos(1)·h²/6)", e1, std::cos(1.0) * 1e-4 / 6, kPage, 1e-3);
  INFO("error at h = 1e-2: " << e1 << ", at h = 1e-3: " << e2 << "; their ratio should be about 100 for an "
                             << "O(h²) formula (10 for a one-sided difference). Read " << kPage);
  CHECK(e1 / e2 > 50);
  CHECK(e1 / e2 < 200);
}

TEST_CASE("ex01 (G2) relative_error by hand", "[exercise][ex01][float]") {
  check_value("relative_error(1, 1, 1e-7)", relative_error(1, 1, 1e-7), 0, kPageG2, 0);
  check_value("relative_error(1, 3, 1e-7) = 2 / 4", relative_error(1, 3, 1e-7), 0.5, kPageG2);
  check_value("relative_error(3, 1, 1e-7) (symmetric)", relative_error(3, 1, 1e-7), 0.5, kPageG2);
  // |a| + |n|, not |a + n|: opposite signs are the worst case, 1.
  check_value("relative_error(-2, 2, 1e-7) = 4 / (2 + 2)", relative_error(-2, 2, 1e-7), 1, kPageG2);
  // Scale-free: the same ratio at any magnitude.
  check_value("relative_error(1e6, 3e6, 1e-7)", relative_error(1e6, 3e6, 1e-7), 0.5, kPageG2);
  check_value("relative_error(-1e-3, -3e-3, 1e-7)", relative_error(-1e-3, -3e-3, 1e-7), 0.5, kPageG2);
}

TEST_CASE("ex01 (G2) relative_error divides by at least tiny: 0 for two zeros, never NaN", "[exercise][ex01][float]") {
  const double both_zero = relative_error(0, 0, 1e-7);
  INFO("relative_error(0, 0, 1e-7) = " << both_zero << "; 0/0 must not happen. Read " << kPageG2);
  CHECK_FALSE(std::isnan(both_zero));
  check_value("relative_error(0, 0, 1e-7)", both_zero, 0, kPageG2, 0);
  // 1e-12 / max(1e-7, 1e-12) = 1e-5: tiny is the floor of the denominator.
  check_value("relative_error(1e-12, 0, 1e-7) = 1e-12 / 1e-7", relative_error(1e-12, 0, 1e-7), 1e-5, kPageG2);
  check_value("relative_error(0, 2e-7, 1e-7) = 2e-7 / 2e-7", relative_error(0, 2e-7, 1e-7), 1, kPageG2);
  check_value("relative_error(2, 1, 10) = 1 / 10", relative_error(2, 1, 10), 0.1, kPageG2);
}
