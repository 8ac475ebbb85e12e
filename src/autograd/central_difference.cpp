// Central differences and the relative error: equations (G1) and (G2) of gradcheck.hpp.
#include <algorithm>
#include <cmath>

#include "gcam/autograd/gradcheck.hpp"

namespace gcam {

double central_difference(const std::function<double(double)>& f, double x, double h) {
  return (f(x + h) - f(x - h)) / (2 * h);
}

double relative_error(double analytic, double numeric, double tiny) {
  return std::fabs(analytic - numeric) / std::max(tiny, std::fabs(analytic) + std::fabs(numeric));
}

}  // namespace gcam
