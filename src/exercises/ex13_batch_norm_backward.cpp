// Exercise ex13 — batch norm backward in training mode: equations (B3)–(B4) of
// include/gcam/ops/batch_norm2d.hpp. See docs/exercises/ex13-batch-norm-backward.md.
//
// Stub: stands in for the reference in src/ops/batch_norm2d.cpp (the block marked GCAM_EXERCISE_EX13 there)
// when the exercise is selected (make exercise N=13 does that). Write the bodies, then run that command.
#include "gcam/ops/batch_norm2d.hpp"
#include "not_implemented.hpp"

namespace gcam {

// x, dy (N, C, H, W); mean and inv_std hold μ_c and 1/√(σ²_c + ε), one per channel;
// x̂ = (x − μ_c)·inv_std_c, eq. (B2).
// (B3) per channel c, summed over n, i, j:  Σ dy  (= dβ_c)   and   Σ dy·x̂  (= dγ_c)
NormGradientSums norm_gradient_sums(const Tensor& x, const std::vector<double>& mean,
                                    const std::vector<double>& inv_std, const Tensor& dy) {
  // TODO(ex13): two vectors of C zeros; visit every x[n,c,i,j] (loops over n, c, then the
  // H·W plane of that image and channel), compute its x̂ and add dy and dy·x̂ into channel c.
  not_implemented("ex13", "norm_gradient_sums", "ex13-batch-norm-backward.md", x, mean, inv_std, dy);
}

// (B4) dx += γ_c·inv_std_c / M · (M·dy − Σdy − x̂·Σdy·x̂)
// `sums` are (B3)'s two sums over the whole batch, `count` is M = N·H·W. ADD into dx.
void batch_norm_input_gradient(const Tensor& x, const std::vector<double>& mean, const std::vector<double>& inv_std,
                               const Tensor& gamma, const Tensor& dy, const NormGradientSums& sums, double count,
                               Tensor& dx) {
  // TODO(ex13): per element, the direct path M·dy minus the mean term Σdy (every x moved μ)
  // minus the variance term x̂·Σdy·x̂ (every x moved σ²), scaled by γ_c·inv_std_c/M.
  not_implemented("ex13", "batch_norm_input_gradient", "ex13-batch-norm-backward.md", x, mean, inv_std, gamma, dy, sums,
                  count, dx);
}

}  // namespace gcam
