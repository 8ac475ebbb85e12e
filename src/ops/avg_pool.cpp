// Reference average pooling and global average pooling: (P3)–(P6) of kernels.hpp.
#include "gcam/ops/kernels.hpp"

namespace gcam {

Tensor avg_pool2d_forward(const Tensor& x, int kernel, int stride) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int OH = conv_output_size(H, kernel, stride, 0), OW = conv_output_size(W, kernel, stride, 0);
  const Scalar inv_area = Scalar(1) / Scalar(kernel * kernel);
  Tensor y({N, C, OH, OW});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j) {
          Scalar sum = 0;
          for (int p = 0; p < kernel; ++p)
            for (int q = 0; q < kernel; ++q) sum += x.at(n, c, i * stride + p, j * stride + q);
          y.at(n, c, i, j) = sum * inv_area;
        }
  return y;
}

void avg_pool2d_backward(const Tensor& dy, int kernel, int stride, Tensor& dx) {
  const int N = dy.dim(0), C = dy.dim(1), OH = dy.dim(2), OW = dy.dim(3);
  const Scalar inv_area = Scalar(1) / Scalar(kernel * kernel);
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < OH; ++i)
        for (int j = 0; j < OW; ++j)
          for (int p = 0; p < kernel; ++p)
            for (int q = 0; q < kernel; ++q) dx.at(n, c, i * stride + p, j * stride + q) += dy.at(n, c, i, j) * inv_area;
}

Tensor global_avg_pool_forward(const Tensor& x) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  Tensor y({N, C});
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      Scalar sum = 0;
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) sum += x.at(n, c, i, j);
      y.at(n, c) = sum / Scalar(H * W);
    }
  return y;
}

void global_avg_pool_backward(const Tensor& dy, Tensor& dx) {
  const int N = dx.dim(0), C = dx.dim(1), H = dx.dim(2), W = dx.dim(3);
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c)
      for (int i = 0; i < H; ++i)
        for (int j = 0; j < W; ++j) dx.at(n, c, i, j) += dy.at(n, c) / Scalar(H * W);
}

}  // namespace gcam
