// fast/direct_conv.hpp — convolution without im2col, for layers whose output
// values each sum only a few products (C·kH·kW ≤ kDirectConvTerms) at stride 1:
// a first layer on gray or RGB images. There im2col would copy the whole image
// kH·kW times (and the GEMM pack it once more) for a matrix product whose
// inner dimension is only C·kH·kW: the copies cost more than the arithmetic.
//
// Same equations (C1)–(C4) and the same accumulate-into-outputs contract as
// the reference loops of include/gcam/ops/conv2d.hpp (which it must agree
// with: tests/test_fast_kernels.cpp) and as fast/conv2d.hpp, which calls
// these when direct_conv_suits() says so. Every inner loop runs along a row
// of the image, so it vectorises. Work is split over whole output planes
// (forward, dx) or whole output channels (dw, db), so each result is summed
// by one thread in a fixed order: bit-identical for any thread count.
#pragma once

#include "gcam/core/tensor.hpp"
#include "gcam/fast/targets.hpp"

namespace gcam {

class ThreadPool;

namespace fast {

// The largest C·kH·kW computed directly (a 3×3 kernel on 3 channels).
constexpr int kDirectConvTerms = 27;

// Whether the direct kernels serve a convolution of x (N, C, H, W) with w
// (O, C, kH, kW) at `stride`: stride 1 and C·kH·kW ≤ kDirectConvTerms.
bool direct_conv_suits(const Shape& x, const Shape& w, int stride);

// (C1) at stride 1 into y (resized and overwritten).
void direct_conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int padding, ThreadPool* pool, Tensor& y);
// (C2)–(C4) at stride 1, adding into the gradients `targets` asks for.
void direct_conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int padding, Tensor& dx, Tensor& dw,
                            Tensor& db, ThreadPool* pool, Targets targets);

}  // namespace fast
}  // namespace gcam
