// kernels.hpp — reference kernels: plain loops that read like the equations.
//
// These are the functions students read, and the ones the fast kernels
// (fast_kernels.hpp) are tested against. They work on Tensors only and know
// nothing about the tape; ops.hpp wraps them into recorded ops.
//
// Conventions (as in PyTorch):
//   x   input batch, NCHW           y   output
//   w   conv weight, (Cout, Cin, kH, kW); dense weight, (Out, In)
//   b   bias, (Cout) or (Out)
//   dy  gradient flowing into y (∂L/∂y); dx, dw, db the gradients produced.
// Every backward ADDS (+=) into its outputs: a value used twice receives the
// sum of the gradients of its uses (the multivariable chain rule).
#pragma once

#include <vector>

#include "gcam/core/tensor.hpp"

namespace gcam {

// Size of one spatial output dimension: (in + 2·padding − kernel) / stride + 1.
int conv_output_size(int in, int kernel, int stride, int padding);

// ---- conv2d (cross-correlation, zero padding) ------------------------------
// (C1) y[n,o,i,j] = b[o] + Σ_c Σ_p Σ_q w[o,c,p,q] · x[n,c, i·s+p−pad, j·s+q−pad]
//      (terms whose x index falls outside the image are zero: zero padding)
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding);
// (C2) dx[n,c,i·s+p−pad, j·s+q−pad] += Σ_o w[o,c,p,q] · dy[n,o,i,j]
// (C3) dw[o,c,p,q] += Σ_n Σ_i Σ_j dy[n,o,i,j] · x[n,c, i·s+p−pad, j·s+q−pad]
// (C4) db[o]       += Σ_n Σ_i Σ_j dy[n,o,i,j]
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db);

// ---- pooling ----------------------------------------------------------------
// (P1) y[n,c,i,j] = max over the k×k window at (i·s, j·s) of x[n,c,·,·].
// `winners[e]` receives the flat index into x of the maximum for output e.
// Ties: the first maximum in row-major order wins (as in PyTorch) and is the
// only cell that receives gradient.
Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners);
// (P2) dx[winners[e]] += dy[e]: the gradient goes to the winning cell only.
void max_pool2d_backward(const Tensor& dy, const std::vector<int>& winners, Tensor& dx);

// (P3) y[n,c,i,j] = (1/k²) Σ over the k×k window of x.
Tensor avg_pool2d_forward(const Tensor& x, int kernel, int stride);
// (P4) every cell of the window receives dy / k².
void avg_pool2d_backward(const Tensor& dy, int kernel, int stride, Tensor& dx);

// (P5) y[n,c] = (1/(H·W)) Σ_i Σ_j x[n,c,i,j]   (output shape (N, C)).
Tensor global_avg_pool_forward(const Tensor& x);
// (P6) dx[n,c,i,j] += dy[n,c] / (H·W).
void global_avg_pool_backward(const Tensor& dy, Tensor& dx);

// ---- dense (fully connected) -----------------------------------------------
// (D1) y[n,o] = b[o] + Σ_i w[o,i] · x[n,i]
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b);
// (D2) dx[n,i] += Σ_o dy[n,o] · w[o,i]
// (D3) dw[o,i] += Σ_n dy[n,o] · x[n,i]
// (D4) db[o]   += Σ_n dy[n,o]
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db);

// ---- ReLU -------------------------------------------------------------------
// (R1) y = max(0, x)
Tensor relu_forward(const Tensor& x);
// (R2) dx += dy · [x > 0]   (at x = 0 exactly we choose the subgradient 0)
void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx);

// ---- softmax family (rows of an (N, K) tensor) -------------------------------
// (S1) p[n,k] = exp(z[n,k] − m) / Σ_j exp(z[n,j] − m),  m = max_j z[n,j] (stability)
Tensor softmax_forward(const Tensor& z);
// (S2) dz[n,k] += p[n,k] · (dp[n,k] − Σ_j dp[n,j] p[n,j])
void softmax_backward(const Tensor& p, const Tensor& dp, Tensor& dz);
// (S3) log p[n,k] = z[n,k] − m − log Σ_j exp(z[n,j] − m)
Tensor log_softmax_forward(const Tensor& z);
// (S4) dz[n,k] += dl[n,k] − p[n,k] · Σ_j dl[n,j]   with p = exp(log p)
void log_softmax_backward(const Tensor& log_p, const Tensor& dl, Tensor& dz);

// (S5) L = −(1/N) Σ_n log p[n, label_n]; `probabilities` receives p (N, K).
// Computed through log-sum-exp, so it stays finite for large logits.
Scalar softmax_cross_entropy_forward(const Tensor& z, const std::vector<int>& labels, Tensor& probabilities);
// (S6) dz[n,k] += dL · (p[n,k] − [k = label_n]) / N
void softmax_cross_entropy_backward(const Tensor& probabilities, const std::vector<int>& labels, Scalar dL,
                                    Tensor& dz);

}  // namespace gcam
