// TEMPORARY: forwards to the reference kernels until the GEMM path lands.
#include "gcam/fast_kernels.hpp"

#include "gcam/kernels.hpp"

namespace gcam {
namespace fast {

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, int stride, int padding, ThreadPool*) {
  return gcam::conv2d_forward(x, w, b, stride, padding);
}
void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, int stride, int padding, Tensor& dx,
                     Tensor& dw, Tensor& db, ThreadPool*) {
  gcam::conv2d_backward(x, w, dy, stride, padding, dx, dw, db);
}
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, ThreadPool*) {
  return gcam::linear_forward(x, w, b);
}
void linear_backward(const Tensor& x, const Tensor& w, const Tensor& dy, Tensor& dx, Tensor& dw, Tensor& db,
                     ThreadPool*) {
  gcam::linear_backward(x, w, dy, dx, dw, db);
}

}  // namespace fast
}  // namespace gcam
