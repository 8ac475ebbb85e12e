// Reference conv2d forward: equation (C1) of kernels.hpp as four nested sums.
#include "gcam/ops/kernels.hpp"

namespace gcam {

int conv_output_size(int in, int kernel, int stride, int padding) {
  return (in + 2 * padding - kernel) / stride + 1;
}

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int O = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  const int OH = conv_output_size(H, KH, stride, padding);
  const int OW = conv_output_size(W, KW, stride, padding);
  Tensor y({N, O, OH, OW});
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          Scalar sum = b[o];  // (C1) starts from the bias
          for (int c = 0; c < C; ++c)
            for (int p = 0; p < KH; ++p)
              for (int q = 0; q < KW; ++q) {
                const int row = i * stride + p - padding;
                const int col = j * stride + q - padding;
                if (row < 0 || row >= H || col < 0 || col >= W) continue;  // zero padding
                sum += w.at(o, c, p, q) * x.at(n, c, row, col);
              }
          y.at(n, o, i, j) = sum;
        }
  return y;
}

}  // namespace gcam
