// ops/ops.hpp — every op the tape knows, and the table of their rules.
//
// One op, one file: include/gcam/ops/<op>.hpp has its equations, and
// src/ops/<op>.cpp has, one after the other, the reference forward, the
// reference backward (plain loops that read like the equations), the tape
// record and the backward rule the record carries (Record::rule). The fast
// kernels (include/gcam/fast/) are tested against these references.
//
//   op                     kind                 forward   backward    file
//   conv2d                 Conv2d               (C1)      (C2)–(C4)   conv2d
//   batch_norm2d_training  BatchNorm2d          (B1),(B2) (B3),(B4)   batch_norm2d
//   batch_norm2d_evaluation BatchNorm2d         (B6)      (B3),(B6)   batch_norm2d
//   max_pool2d             MaxPool2d            (P1)      (P2)        max_pool2d
//   avg_pool2d             AvgPool2d            (P3)      (P4)        avg_pool2d
//   global_avg_pool        GlobalAvgPool        (P5)      (P6)        global_avg_pool
//   linear                 Linear               (D1)      (D2)–(D4)   linear
//   relu                   Relu                 (R1)      (R2)        relu
//   reshape, flatten       Reshape              copy      copy        reshape
//   add, mul, scale        Add, Mul, Scale      a+b ...   ...         elementwise
//   sum, mean              Sum, Mean            Σ, mean   spread      reduce
//   softmax, log_softmax   Softmax, LogSoftmax  (S1),(S3) (S2),(S4)   softmax
//   softmax_cross_entropy  SoftmaxCrossEntropy  (S5)      (S6)        softmax_cross_entropy
//   select (y^c)           Select               pick      one-hot     select
//
// Conventions (as in PyTorch):
//   x   input batch, NCHW           y   output
//   w   conv weight, (Cout, Cin, kH, kW); dense weight, (Out, In)
//   b   bias, (Cout) or (Out)
//   dy  gradient flowing into y (∂L/∂y); dx, dw, db the gradients produced.
// Every backward ADDS (+=) into its outputs: a value used twice receives the
// sum of the gradients of its uses (the multivariable chain rule).
// Shapes are checked when an op is recorded; a mismatch throws ShapeError
// naming the op and the shapes involved.
#pragma once

#include "gcam/ops/avg_pool2d.hpp"
#include "gcam/ops/batch_norm2d.hpp"
#include "gcam/ops/conv2d.hpp"
#include "gcam/ops/elementwise.hpp"
#include "gcam/ops/global_avg_pool.hpp"
#include "gcam/ops/linear.hpp"
#include "gcam/ops/max_pool2d.hpp"
#include "gcam/ops/reduce.hpp"
#include "gcam/ops/relu.hpp"
#include "gcam/ops/reshape.hpp"
#include "gcam/ops/select.hpp"
#include "gcam/ops/softmax.hpp"
#include "gcam/ops/softmax_cross_entropy.hpp"
