// Exercise ex03 — the dense (fully connected) layer: equations (D1)–(D4) of
// include/gcam/ops/linear.hpp. See docs/exercises/ex03-linear.md.
//
// Stub: stands in for the reference in src/ops/linear.cpp (the block marked GCAM_EXERCISE_EX03 there)
// when the exercise is selected (make exercise N=3 does that). Write the bodies, then run that command.
#include "gcam/ops/linear.hpp"
#include "not_implemented.hpp"

namespace gcam {

// (D1) y[n,o] = b[o] + Σ_i w[o,i] · x[n,i]
// x (N, In), w (Out, In), b (Out)  →  y (N, Out)
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  // TODO(ex03): read N, In, Out from the shapes; fill y with (D1).
  not_implemented("ex03", "linear_forward", "ex03-linear.md", x, w, b);
}

// (D2) dx[n,i] += Σ_o dy[n,o] · w[o,i]
// (D3) dw[o,i] += Σ_n dy[n,o] · x[n,i]
// (D4) db[o]   += Σ_n dy[n,o]
// ADD into dx, dw and db, do not overwrite them.
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db) {
  // TODO(ex03): one loop nest over n, o (and i) can serve all three equations.
  not_implemented("ex03", "linear_backward", "ex03-linear.md", x, w, dy, dx, dw, db);
}

}  // namespace gcam
