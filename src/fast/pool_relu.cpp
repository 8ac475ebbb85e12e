// Fast max pooling and ReLU (see fast/pool_relu.hpp). They must give exactly
// the reference results: both only compare and select, so no rounding enters.
#include "gcam/fast/pool_relu.hpp"

#include <algorithm>

#include "gcam/core/thread_pool.hpp"
#include "gcam/core/window.hpp"
#include "max_pool_2x2.hpp"

namespace gcam {
namespace fast {

namespace {

// Any window: selects instead of branches, because which cell wins is data
// dependent and a branch would be mispredicted about half the time.
void max_pool_plane(const Scalar* in, int base, int W, int kernel, int stride, int OH, int OW, Scalar* out, int* win) {
  for (int i = 0; i < OH; ++i)
    for (int j = 0; j < OW; ++j) {
      int best = base + i * stride * W + j * stride;
      Scalar best_value = in[best];
      for (int p = 0; p < kernel; ++p) {
        const int row = base + (i * stride + p) * W + j * stride;
        for (int q = 0; q < kernel; ++q) {
          const bool larger = in[row + q] > best_value;  // strict: the first maximum wins ties
          best = larger ? row + q : best;
          best_value = larger ? in[row + q] : best_value;
        }
      }
      out[i * OW + j] = best_value;
      win[i * OW + j] = best;
    }
}

}  // namespace

Tensor max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners, ThreadPool* pool) {
  Tensor y;
  max_pool2d_forward(x, kernel, stride, winners, pool, y);
  return y;
}

void max_pool2d_forward(const Tensor& x, int kernel, int stride, std::vector<int>& winners, ThreadPool* pool,
                        Tensor& y) {
  const int N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
  const int OH = conv_output_size(H, kernel, stride, 0), OW = conv_output_size(W, kernel, stride, 0);
  y.resize({N, C, OH, OW});  // every element is written below
  winners.resize(y.size());
  const Scalar* in = x.data();
  Scalar* out = y.data();
  int* win = winners.data();
  // Small maps (a single image) are pooled on this thread: waking the pool costs more.
  constexpr std::size_t kMinParallelElements = std::size_t{1} << 18;
  parallel_for(x.size() < kMinParallelElements ? nullptr : pool, N * C, [&](int begin, int end) {
    if (kernel == 2 && stride == 2) return max_pool_2x2_planes(in, H, W, OH, OW, begin, end, out, win, W, 0);
    for (int plane = begin; plane < end; ++plane)
      max_pool_plane(in, plane * H * W, W, kernel, stride, OH, OW, out + plane * OH * OW, win + plane * OH * OW);
  });
}

Tensor relu_forward(const Tensor& x) {
  Tensor y;
  relu_forward(x, y);
  return y;
}

void relu_forward(const Tensor& x, Tensor& y) {
  y.resize(x.shape());  // every element is written below
  const Scalar* in = x.data();
  Scalar* out = y.data();
  for (std::size_t e = 0, n = x.size(); e < n; ++e) out[e] = in[e] > 0 ? in[e] : Scalar(0);
}

void relu_backward(const Tensor& x, const Tensor& dy, Tensor& dx) {
  const Scalar* in = x.data();
  const Scalar* g = dy.data();
  Scalar* out = dx.data();
  for (std::size_t e = 0, n = x.size(); e < n; ++e) out[e] += in[e] > 0 ? g[e] : Scalar(0);
}

void relu_backward_in_place(const Tensor& x, Tensor& g) { relu_backward_in_place(x.data(), g.data(), x.size()); }

void relu_backward_in_place(const Scalar* x, Scalar* g, std::size_t n) {
  // 0 + g, as relu_backward adds into zeros: a −0 upstream becomes +0 there too.
  for (std::size_t e = 0; e < n; ++e) g[e] = x[e] > 0 ? Scalar(0) + g[e] : Scalar(0);
}

}  // namespace fast
}  // namespace gcam
