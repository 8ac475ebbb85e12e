// Reference dense layer: equations (D1)–(D4) of kernels.hpp.
#include "gcam/ops/kernels.hpp"

namespace gcam {

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  const int N = x.dim(0), In = x.dim(1), Out = w.dim(0);
  Tensor y({N, Out});
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Out; ++o) {
      Scalar sum = b[o];
      for (int i = 0; i < In; ++i) sum += w.at(o, i) * x.at(n, i);
      y.at(n, o) = sum;
    }
  return y;
}

void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db) {
  const int N = x.dim(0), In = x.dim(1), Out = w.dim(0);
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Out; ++o) {
      const Scalar g = dy.at(n, o);
      db[o] += g;  // (D4)
      for (int i = 0; i < In; ++i) {
        dx.at(n, i) += g * w.at(o, i);  // (D2)
        dw.at(o, i) += g * x.at(n, i);  // (D3)
      }
    }
}

}  // namespace gcam
