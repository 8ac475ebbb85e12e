// ops/reshape.hpp — the same values with another shape. Tape op and rule: src/ops/reshape.cpp.
//
// y = x read in the same (row-major) order;   dx += dy read in that order.
#pragma once

#include "gcam/autograd/tape.hpp"

namespace gcam {

// A shape of the same size; throws ShapeError otherwise.
Var reshape(Tape& tape, Var x, Shape shape);
// (N, ...) → (N, rest).
Var flatten(Tape& tape, Var x);

}  // namespace gcam
