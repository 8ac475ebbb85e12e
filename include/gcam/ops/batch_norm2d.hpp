// ops/batch_norm2d.hpp — batch normalization over the channels of NCHW maps,
// as PyTorch's BatchNorm2d. Reference loops, tape op and rule: src/ops/batch_norm2d.cpp.
// A tape with Kernels::Fast runs the same passes vectorised and threaded
// (include/gcam/fast/batch_norm.hpp), tested to agree with these loops.
//
//   x, y (N, C, H, W)   γ = weight (C)   β = bias (C)   M = N·H·W values per channel
// Training (the batch's own statistics):
// (B1) μ_c = (1/M) Σ_{n,i,j} x[n,c,i,j]        σ²_c = (1/M) Σ_{n,i,j} (x[n,c,i,j] − μ_c)²   (biased)
// (B2) x̂ = (x − μ_c) / √(σ²_c + ε)            y = γ_c x̂ + β_c
// (B3) dβ_c += Σ_{n,i,j} dy                    dγ_c += Σ_{n,i,j} dy · x̂
// (B4) dx = γ_c / (M √(σ²_c + ε)) · (M·dy − Σ dy − x̂ · Σ dy·x̂)
//      μ and σ² depend on every x of the channel, so every x receives the two
//      sums: −Σdy through μ (the mean term), −x̂·Σdy·x̂ through σ² (the variance term).
// (B5) running_mean ← (1 − m)·running_mean + m·μ_c,
//      running_var  ← (1 − m)·running_var + m·σ²_c · M/(M − 1)   (the unbiased variance), m = 0.1
// Evaluation (the running statistics, constants):
// (B6) y = γ_c (x − running_mean_c) / √(running_var_c + ε) + β_c      dx = γ_c / √(running_var_c + ε) · dy
//      and (B3) for γ and β, with x̂ from the running statistics.
// Folded into the convolution before it (evaluation only: the statistics are constants):
// (B7) conv(x; w, b) then (B6) = conv(x; w', b') with s_o = γ_o / √(running_var_o + ε),
//      w'[o] = s_o · w[o]   and   b'_o = s_o · (b_o − running_mean_o) + β_o.
// ε = 1e-5 and m = 0.1, as in PyTorch.
#pragma once

#include <vector>

#include "gcam/autograd/tape.hpp"

namespace gcam {

constexpr double kBatchNormEpsilon = 1e-5;
constexpr double kBatchNormMomentum = 0.1;

// Per-channel sums over n, i, j: Σ x (and so μ when divided by M).
std::vector<double> channel_sums(const Tensor& x);
// Per-channel Σ (x − μ_c)² (so σ² when divided by M).
std::vector<double> channel_squared_deviations(const Tensor& x, const std::vector<double>& mean);
// (B2) / (B6): y = γ_c (x − μ_c)·inv_std_c + β_c, with inv_std = 1/√(σ² + ε),
// written into y (of x's shape).
void batch_norm_forward(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                        const Tensor& gamma, const Tensor& beta, Tensor& y);
// (B3)'s two sums per channel, Σ dy and Σ dy·x̂: the parameter gradients, and
// what (B4) needs from the whole batch.
struct NormGradientSums {
  std::vector<double> dy, dy_xhat;
};
NormGradientSums norm_gradient_sums(const Tensor& x, const std::vector<double>& mean,
                                    const std::vector<double>& inv_std, const Tensor& dy);
// (B4): dx += γ_c·inv_std_c/M · (M·dy − Σdy − x̂·Σdy·x̂), the sums taken over the whole batch.
void batch_norm_input_gradient(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                               const Tensor& gamma, const Tensor& dy, const NormGradientSums& sums, double count,
                               Tensor& dx);

// The statistics a training-mode record used, for the running averages (B5).
struct BatchStatistics {
  std::vector<double> mean, variance;  // biased σ², as (B1)
  double count = 0;                    // M
};

// Records (B1)–(B2) on the tape; its rule applies (B3)–(B4). On a tape that
// shares its batch (Tape::share_batch), the sums of (B1) and (B4) are those
// of all parts. `stats` (if not null) receives μ, σ² and M.
Var batch_norm2d_training(Tape& tape, Var x, Var gamma, Var beta, BatchStatistics* stats = nullptr,
                          double epsilon = kBatchNormEpsilon);
// Records (B6) with the running statistics; its rule applies (B3) and (B6).
Var batch_norm2d_evaluation(Tape& tape, Var x, Var gamma, Var beta, const Tensor& running_mean,
                            const Tensor& running_var, double epsilon = kBatchNormEpsilon);
// (B7): the weight (O, C, kH, kW) and bias (O) of a convolution with the
// evaluation-mode batch norm after it folded in. Used by the fast path of
// predict() (one pass over the activations less per batch norm).
struct FoldedConv {
  Tensor weight, bias;
};
FoldedConv fold_batch_norm(const Tensor& weight, const Tensor& bias, const Tensor& gamma, const Tensor& beta,
                           const Tensor& running_mean, const Tensor& running_var, double epsilon = kBatchNormEpsilon);
// (B5): moves the running statistics toward the batch's.
void update_running_statistics(const BatchStatistics& stats, Tensor& running_mean, Tensor& running_var,
                               double momentum = kBatchNormMomentum);

}  // namespace gcam
