// Reference ReLU: equations (R1) and (R2) of kernels.hpp.
#include "gcam/ops/kernels.hpp"

namespace gcam {

Tensor relu_forward(const Tensor& x) {
  Tensor y(x.shape());
  for (std::size_t e = 0; e < x.size(); ++e) y[e] = x[e] > 0 ? x[e] : Scalar(0);
  return y;
}

void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  for (std::size_t e = 0; e < x.size(); ++e)
    if (x[e] > 0) dx[e] += dy[e];
}

}  // namespace gcam
