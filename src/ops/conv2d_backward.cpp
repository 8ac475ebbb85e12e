// Reference conv2d backward: equations (C2)–(C4) of kernels.hpp.
//
// The forward pass multiplies w[o,c,p,q] with x[n,c,row,col] and adds it to
// y[n,o,i,j]. The chain rule sends dy[n,o,i,j] back along exactly that product:
// to x, scaled by w; to w, scaled by x; to b, unscaled. So the backward visits
// the same (n,o,i,j,c,p,q) loop as the forward.
#include "gcam/ops/kernels.hpp"

namespace gcam {

void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int O = w.dim(0), KH = w.dim(2), KW = w.dim(3);
  const int OH = dy.dim(2), OW = dy.dim(3);
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          const Scalar g = dy.at(n, o, i, j);
          db[o] += g;  // (C4)
          for (int c = 0; c < C; ++c)
            for (int p = 0; p < KH; ++p)
              for (int q = 0; q < KW; ++q) {
                const int row = i * stride + p - padding;
                const int col = j * stride + q - padding;
                if (row < 0 || row >= H || col < 0 || col >= W) continue;
                dx.at(n, c, row, col) += w.at(o, c, p, q) * g;  // (C2)
                dw.at(o, c, p, q) += x.at(n, c, row, col) * g;  // (C3)
              }
        }
}

}  // namespace gcam
