// Fast conv2d: the reference loops of src/ops/conv2d.cpp, equations (C1)–(C4),
// as matrix products whose im2col matrix is never written out: the implicit
// GEMM of implicit_conv.cpp, at every stride (the layout it reads, phase
// planes at stride 2 and up: implicit_grid.hpp). This file checks the shapes
// and hands over. tests/test_fast_kernels.cpp checks that both agree.
//
// Determinism. Parallel work is split so that every output element is
// written by exactly one thread, in an order that does not depend on the
// thread count: forward images, input-gradient images, and the gemm's tiles of C (see gemm.cpp),
// each go to one thread; the batch sums of dW and db run over the images in
// order. So the same inputs give bit-identical results for any pool size,
// including null. (They differ from the reference kernels in the last bits,
// because the sums are grouped differently; the tests bound that difference.)
#include "gcam/fast/conv2d.hpp"

#include <stdexcept>

#include "conv_geometry.hpp"
#include "gcam/core/error.hpp"
#include "implicit_grid.hpp"

namespace gcam {
namespace fast {

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool) {
  Tensor y;
  conv2d_forward(x, w, b, stride, padding, pool, y);
  return y;
}

Shape padded_input_shape(const Tensor& x, const Tensor& w, int stride, int padding) {
  const PaddedGrid g(x, w, stride, padding);
  return {g.N, int(g.padded_image())};
}

void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool* pool,
                    Tensor& y, Tensor* padded, Epilogue epilogue, std::vector<int>* winners) {
  if (epilogue == Epilogue::ReluMaxPool && !winners)
    throw std::invalid_argument("conv2d forward: a max-pool epilogue needs somewhere to put its winners");
  implicit_conv2d_forward(x, w, b, stride, padding, pool, y, padded, epilogue, winners);
}

void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool* pool, Targets targets, const Tensor* padded,
                     EpilogueOutput after) {
  const ConvShape s(x, w, stride, padding);
  if (targets.input) require_same_shape("conv2d backward (dx vs x)", dx, x);
  if (targets.weight) require_same_shape("conv2d backward (dw vs w)", dw, w);
  if (targets.bias && db.shape() != Shape{s.O})
    throw ShapeError("conv2d backward: db " + shape_string(db.shape()) + " does not match weight " +
                     shape_string(w.shape()));
  const Shape output =
      after.epilogue == Epilogue::ReluMaxPool ? Shape{s.N, s.O, s.OH / 2, s.OW / 2} : Shape{s.N, s.O, s.OH, s.OW};
  if (dy.shape() != output)
    throw ShapeError("conv2d backward: dy " + shape_string(dy.shape()) + " does not match the output shape " +
                     shape_string(output));
  if (after.epilogue != Epilogue::None && (!after.y || after.y->shape() != output))
    throw ShapeError("conv2d backward: the epilogue's output is missing or not of shape " + shape_string(output));
  if (after.epilogue == Epilogue::ReluMaxPool && (!after.winners || after.winners->size() != dy.size()))
    throw ShapeError("conv2d backward: the max-pool epilogue needs one winner per value of dy");
  if (padded && padded->shape() != padded_input_shape(x, w, stride, padding))
    throw ShapeError("conv2d backward: the kept padded input " + shape_string(padded->shape()) +
                     " was not made from input " + shape_string(x.shape()) + " and weight " + shape_string(w.shape()) +
                     " at this stride and padding");
  if (dy.empty()) return;
  implicit_conv2d_backward(x, w, dy, stride, padding, dx, dw, db, pool, targets, padded, after);
}

}  // namespace fast
}  // namespace gcam
