// conv_geometry.hpp — what the fast convolutions (conv2d.cpp, implicit_conv.cpp)
// read off their operands, and which output positions a kernel tap reaches
// without falling into the zero padding. Private to src/fast/.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#include "gcam/core/tensor.hpp"
#include "gcam/core/window.hpp"

namespace gcam {
namespace fast {

// A per-thread workspace grown to `count` Scalars (never shrunk); its data.
inline Scalar* grow(std::vector<Scalar>& buffer, std::size_t count) {
  if (buffer.size() < count) buffer.resize(count);
  return buffer.data();
}

// Output positions t in [lo, hi) are those with 0 <= t·stride + offset < in
// (offset = kernel tap − padding); the others read zero padding.
struct Range {
  int lo, hi;
};
inline Range valid_range(int out, int in, int offset, int stride) {
  auto ceil_div = [](int a, int b) { return a <= 0 ? 0 : (a + b - 1) / b; };
  const int lo = std::min(out, ceil_div(-offset, stride));
  const int hi = std::min(out, ceil_div(in - offset, stride));
  return {lo, std::max(lo, hi)};
}

// x (N, C, H, W) convolved with w (O, C, KH, KW) at `stride` and `padding`
// gives (N, O, OH, OW).
struct ConvShape {
  int N, C, H, W, O, KH, KW, OH, OW;
  int P;     // OH·OW: output positions per image
  int rows;  // C·KH·KW: terms of one output value (rows of the im2col matrix)
  int stride, padding;
  ConvShape(const Tensor& x, const Tensor& w, int stride_, int padding_)
      : N(x.dim(0)),
        C(x.dim(1)),
        H(x.dim(2)),
        W(x.dim(3)),
        O(w.dim(0)),
        KH(w.dim(2)),
        KW(w.dim(3)),
        OH(conv_output_size(H, KH, stride_, padding_)),
        OW(conv_output_size(W, KW, stride_, padding_)),
        P(OH * OW),
        rows(C * KH * KW),
        stride(stride_),
        padding(padding_) {}
};

}  // namespace fast
}  // namespace gcam
