// Fast max pooling and ReLU (see fast/pool_relu.hpp). They must give exactly
// the reference results: both only compare and select, so no rounding enters.
#include "gcam/fast/pool_relu.hpp"

#include <algorithm>

#include "gcam/core/thread_pool.hpp"
#include "gcam/core/window.hpp"

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

// `count` outputs of the common 2×2, stride-2 window, from input rows r0 and
// r1 = r0 + W, where r0[0] is input cell `top`: four loads, three selects, in
// the same row-major order as the reference so ties resolve the same way.
// Written so the compiler can vectorize over j: every j is independent, and
// the winner is first a cell number 0..3, then an offset. The cells are tried
// in increasing order, so "cell = larger ? k : cell" is max(cell, larger·k);
// written so, g++ and clang if-convert it (with a conditional assignment of
// the int, g++ gives up: "control flow in loop").
inline void max_pool_2x2_outputs(const Scalar* r0, int W, int top, int count, Scalar* o, int* w) {
  const Scalar* r1 = r0 + W;
  for (int j = 0; j < count; ++j) {
    const Scalar v0 = r0[2 * j], v1 = r0[2 * j + 1], v2 = r1[2 * j], v3 = r1[2 * j + 1];
    Scalar m = v0;
    const int larger1 = v1 > m;  // strict: the first maximum wins ties, as in the reference
    m = larger1 ? v1 : m;
    int cell = larger1;
    const int larger2 = v2 > m;
    m = larger2 ? v2 : m;
    cell = std::max(cell, larger2 * 2);
    const int larger3 = v3 > m;
    m = larger3 ? v3 : m;
    cell = std::max(cell, larger3 * 3);
    o[j] = m;
    w[j] = top + 2 * j + (cell & 1) + (cell >> 1) * W;
  }
}

// Planes [first, last) pooled 2×2, stride 2, kBlock outputs at a time: a
// fixed trip count that the compiler turns into whole vectors, even for rows
// narrower than a vector (fashion-cnn's are 14 and 7 wide; a loop of 14
// iterations stays scalar, 5× slower). A block that runs past the end of its
// row computes junk in the lanes beyond it, reading into the next row pair,
// and writes that junk into the next row's outputs, which the next row then
// overwrites (rows go in order). Only blocks whose reads and writes stay
// inside these planes run so; the others, at the end, go one block of the
// exact width.
void max_pool_2x2_planes(const Scalar* in, int H, int W, int OH, int OW, int first, int last, Scalar* out, int* win) {
  constexpr int kBlock = 16;
  const std::size_t in_end = std::size_t(last) * H * W, out_end = std::size_t(last) * OH * OW;
  for (int plane = first; plane < last; ++plane)
    for (int i = 0; i < OH; ++i) {
      const int top = (plane * H + 2 * i) * W;  // input cell r0[0]
      const std::size_t row = (std::size_t(plane) * OH + i) * OW;
      int j = 0;
      for (; j < OW; j += kBlock) {
        if (row + j + kBlock > out_end || std::size_t(top) + W + 2 * (j + kBlock) > in_end) break;
        max_pool_2x2_outputs(in + top + 2 * j, W, top + 2 * j, kBlock, out + row + j, win + row + j);
      }
      if (j < OW) max_pool_2x2_outputs(in + top + 2 * j, W, top + 2 * j, OW - j, out + row + j, win + row + j);
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
    if (kernel == 2 && stride == 2) return max_pool_2x2_planes(in, H, W, OH, OW, begin, end, out, win);
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

void relu_backward_in_place(const Tensor& x, Tensor& g) {
  const Scalar* in = x.data();
  Scalar* out = g.data();
  // 0 + g, as relu_backward adds into zeros: a −0 upstream becomes +0 there too.
  for (std::size_t e = 0, n = x.size(); e < n; ++e) out[e] = in[e] > 0 ? Scalar(0) + out[e] : Scalar(0);
}

}  // namespace fast
}  // namespace gcam
