// ops/conv2d.hpp — 2-D convolution (cross-correlation, zero padding), as in PyTorch.
// Reference loops, tape op and backward rule: src/ops/conv2d.cpp.
//
//   x (N, C, H, W)   w (O, C, kH, kW)   b (O)   y (N, O, OH, OW), OH = conv_output_size(H, kH, s, pad)
// (C1) y[n,o,i,j] = b[o] + Σ_c Σ_p Σ_q w[o,c,p,q] · x[n,c, i·s+p−pad, j·s+q−pad]
//      (terms whose x index falls outside the image are zero: zero padding)
// (C2) dx[n,c,i·s+p−pad, j·s+q−pad] += Σ_o w[o,c,p,q] · dy[n,o,i,j]
// (C3) dw[o,c,p,q] += Σ_n Σ_i Σ_j dy[n,o,i,j] · x[n,c, i·s+p−pad, j·s+q−pad]
// (C4) db[o]       += Σ_n Σ_i Σ_j dy[n,o,i,j]
//
// conv2d_relu, the same convolution with a ReLU (ops/relu.hpp) in one record,
// for passes that want only the logits or the parameter gradients (training,
// prediction: ForwardPass::fusions), so that the ReLU costs no pass of its own:
// (CR1) y = max(0, (C1))                      rectified as the output is written
// (CR2) (C2)–(C4) with dy·[y > 0] for dy       y > 0 exactly where (C1) > 0 (R2)
// and conv2d_relu_max_pool, with the 2×2, stride-2 max-pool after the ReLU
// (ops/max_pool2d.hpp) in the same record, so that the unpooled map is never
// written out:
// (CRP1) z = max_pool2×2(max(0, (C1))), and its winners as (P1) keeps them
// (CRP2) (C2)–(C4) with dy·[z > 0] put at the winners (P2) for dy
//        (at a winner the unpooled value is z, so [z > 0] is (R2) there)
#pragma once

#include "gcam/autograd/tape.hpp"
#include "gcam/core/window.hpp"

namespace gcam {

// (C1), plain loops.
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding);
// (C2)–(C4), plain loops, adding into dx, dw and db.
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db);
// Records (C1) on the tape (fast kernels when the tape asks for them); its
// rule applies (C2)–(C4). Throws ShapeError naming the shapes that do not fit.
Var conv2d(Tape& tape, Var x, Var weight, Var bias, int stride = 1, int padding = 0);
// Records (CR1); its rule applies (CR2). Same values, bit for bit, as relu
// recorded after conv2d.
Var conv2d_relu(Tape& tape, Var x, Var weight, Var bias, int stride = 1, int padding = 0);
// Records (CRP1); its rule applies (CRP2). Same values, bit for bit, as relu
// and max_pool2d(2, 2) recorded after conv2d.
Var conv2d_relu_max_pool(Tape& tape, Var x, Var weight, Var bias, int stride = 1, int padding = 0);

}  // namespace gcam
