// ops.hpp — the recorded ops: each computes its value with a kernel and
// appends a Record to the tape, so that Tape::backward can apply its rule.
//
// Shapes are checked here; a mismatch throws ShapeError naming the op and the
// shapes involved. The equations are in kernels.hpp, next to each kernel.
#pragma once

#include <vector>

#include "gcam/autograd/tape.hpp"

namespace gcam {

// conv2d: x (N,Cin,H,W), weight (Cout,Cin,kH,kW), bias (Cout) → (N,Cout,OH,OW). Eq. (C1).
Var conv2d(Tape& tape, Var x, Var weight, Var bias, int stride = 1, int padding = 0);
// max_pool2d: k×k windows every `stride` cells, no padding. Eq. (P1).
Var max_pool2d(Tape& tape, Var x, int kernel, int stride);
// avg_pool2d: k×k windows every `stride` cells, no padding. Eq. (P3).
Var avg_pool2d(Tape& tape, Var x, int kernel, int stride);
// global_avg_pool: (N,C,H,W) → (N,C). Eq. (P5).
Var global_avg_pool(Tape& tape, Var x);
// linear: x (N,In), weight (Out,In), bias (Out) → (N,Out). Eq. (D1).
Var linear(Tape& tape, Var x, Var weight, Var bias);
// relu: elementwise max(0, x). Eq. (R1).
Var relu(Tape& tape, Var x);
// reshape: the same values with another shape of the same size.
Var reshape(Tape& tape, Var x, Shape shape);
// flatten: (N, ...) → (N, rest).
Var flatten(Tape& tape, Var x);
// add: a + b elementwise (same shapes). mul: a ⊙ b. scale: k·a.
Var add(Tape& tape, Var a, Var b);
Var mul(Tape& tape, Var a, Var b);
Var scale(Tape& tape, Var a, Scalar k);
// sum / mean of all elements → a scalar (shape []).
Var sum(Tape& tape, Var a);
Var mean(Tape& tape, Var a);
// softmax / log_softmax over each row of (N,K). Eqs. (S1), (S3).
Var softmax(Tape& tape, Var z);
Var log_softmax(Tape& tape, Var z);
// softmax_cross_entropy: logits (N,K), one label per row → scalar mean loss. Eq. (S5).
Var softmax_cross_entropy(Tape& tape, Var logits, const std::vector<int>& labels);
// select: y^c — from (N,K) picks column classes[n] of row n → (N).
Var select(Tape& tape, Var logits, const std::vector<int>& classes);

}  // namespace gcam
