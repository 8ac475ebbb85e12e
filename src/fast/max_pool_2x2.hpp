// The 2×2, stride-2 max-pool window, shared by the fast max-pool
// (pool_relu.cpp) and the convolution that pools its own output
// (implicit_conv.cpp, conv2d_relu_max_pool). (P1) of ops/max_pool2d.hpp.
#pragma once

#include <algorithm>

#include "gcam/core/tensor.hpp"

namespace gcam {
namespace fast {

// `count` outputs of the common 2×2, stride-2 window, from input rows r0 and
// r1 = r0 + W, where r0[0] is input cell `top` of an input whose rows are
// `index_row` cells apart (W, unless the rows are read from a wider grid
// than the winners index): four loads, three selects, in
// the same row-major order as the reference so ties resolve the same way.
// Written so the compiler can vectorize over j: every j is independent, and
// the winner is first a cell number 0..3, then an offset. The cells are tried
// in increasing order, so "cell = larger ? k : cell" is max(cell, larger·k);
// written so, g++ and clang if-convert it (with a conditional assignment of
// the int, g++ gives up: "control flow in loop").
inline void max_pool_2x2_outputs(const Scalar* r0, int W, int index_row, int top, int count, Scalar* o, int* w) {
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
    w[j] = top + 2 * j + (cell & 1) + (cell >> 1) * index_row;
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
// exact width. The winners index an input whose rows are `index_row` cells
// apart, from cell `index_first` on (W and 0: `in` itself).
inline void max_pool_2x2_planes(const Scalar* in, int H, int W, int OH, int OW, int first, int last, Scalar* out,
                                int* win, int index_row, int index_first) {
  constexpr int kBlock = 16;
  const std::size_t in_end = std::size_t(last) * H * W, out_end = std::size_t(last) * OH * OW;
  for (int plane = first; plane < last; ++plane)
    for (int i = 0; i < OH; ++i) {
      const int top = (plane * H + 2 * i) * W;                          // input cell r0[0]
      const int index = index_first + (plane * H + 2 * i) * index_row;  // and its winner index
      const std::size_t row = (std::size_t(plane) * OH + i) * OW;
      int j = 0;
      for (; j < OW; j += kBlock) {
        if (row + j + kBlock > out_end || std::size_t(top) + W + 2 * (j + kBlock) > in_end) break;
        max_pool_2x2_outputs(in + top + 2 * j, W, index_row, index + 2 * j, kBlock, out + row + j, win + row + j);
      }
      if (j < OW)
        max_pool_2x2_outputs(in + top + 2 * j, W, index_row, index + 2 * j, OW - j, out + row + j, win + row + j);
    }
}

}  // namespace fast
}  // namespace gcam
