// Exercise ex01 — central differences and the relative error: equations (G1)
// and (G2) of include/gcam/gradcheck/gradcheck.hpp. See docs/exercises/ex01-central-difference.md.
//
// Stub: stands in for the reference in src/gradcheck/central_difference.cpp (the block marked GCAM_EXERCISE_EX01 there)
// when the exercise is selected (make exercise N=1 does that). Write the bodies, then run that command.
#include <algorithm>
#include <cmath>

#include "gcam/gradcheck/gradcheck.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (G1) f'(x) ≈ (f(x + h) − f(x − h)) / (2h)   — error O(h²), not O(h).
double central_difference(const std::function<double(double)>& f, double x, double h) {
  // TODO(ex01): evaluate f on both sides of x and return the slope of the chord.
  not_implemented("ex01", "central_difference", "ex01-central-difference.md", f, x, h);
}

// (G2) |a − n| / max(tiny, |a| + |n|): scale-free, and 0 when both are 0.
double relative_error(double analytic, double numeric, double tiny) {
  // TODO(ex01): the difference, divided by the sum of magnitudes (never by less than `tiny`).
  not_implemented("ex01", "relative_error", "ex01-central-difference.md", analytic, numeric, tiny);
}

}  // namespace gcam
