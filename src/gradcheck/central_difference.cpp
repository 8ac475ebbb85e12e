// Central differences and the relative error: equations (G1) and (G2) of gradcheck.hpp.
#include <algorithm>
#include <cmath>

#include "gcam/gradcheck/gradcheck.hpp"

namespace gcam {

// Course exercise ex01: with EXERCISES=ex01, src/exercises/ex01_central_difference.cpp stands in for this block.
#ifndef GCAM_EXERCISE_EX01
double central_difference(const std::function<double(double)>& f, double x, double h) {
  return (f(x + h) - f(x - h)) / (2 * h);
}

double relative_error(double analytic, double numeric, double tiny) {
  return std::fabs(analytic - numeric) / std::max(tiny, std::fabs(analytic) + std::fabs(numeric));
}
#endif  // GCAM_EXERCISE_EX01

}  // namespace gcam
