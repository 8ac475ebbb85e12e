// Reference max pooling: equations (P1) and (P2) of kernels.hpp.
#include "gcam/ops/kernels.hpp"

namespace gcam {

Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int OH = conv_output_size(H, kernel, stride, 0), OW = conv_output_size(W, kernel, stride, 0);
  Tensor y({N, C, OH, OW});
  winners.assign(y.size(), 0);
  std::size_t e = 0;  // flat output index, row-major like y
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j, ++e) {
          int best = -1;
          Scalar best_value = 0;
          for (int p = 0; p < kernel; ++p)
            for (int q = 0; q < kernel; ++q) {
              const int index = ((n * C + c) * H + i * stride + p) * W + j * stride + q;
              // Strict '>' keeps the first maximum in row-major order on ties.
              if (best < 0 || x[index] > best_value) {
                best = index;
                best_value = x[index];
              }
            }
          y[e] = best_value;
          winners[e] = best;
        }
  return y;
}

void max_pool2d_backward(const Tensor& dy, const std::vector<int>& winners, Tensor& dx) {
  for (std::size_t e = 0; e < dy.size(); ++e) dx[winners[e]] += dy[e];
}

}  // namespace gcam
