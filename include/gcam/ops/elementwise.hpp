// ops/elementwise.hpp — add, multiply, scale. Tape ops and rules: src/ops/elementwise.cpp.
//
// add:   y = a + b     da += dy,       db += dy   (a + a sends dy to a twice)
// mul:   y = a ⊙ b     da += dy ⊙ b,   db += dy ⊙ a
// scale: y = k·a       da += k·dy
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

Var add(Tape& tape, Var a, Var b);  // same shapes
Var mul(Tape& tape, Var a, Var b);  // same shapes
Var scale(Tape& tape, Var a, Scalar k);

}  // namespace gcam
