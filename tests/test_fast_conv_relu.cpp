// conv2d_relu's fast kernels (CR1, CR2 of include/gcam/ops/conv2d.hpp)
// against a convolution followed by a separate ReLU: the same bits.
#include <algorithm>

#include "conv_cases.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

TEST_CASE("fast conv2d rectified in the same pass (CR1, CR2) gives a separate ReLU's bits",
          "[fast][float][conv2d][relu]") {
  Pools pools;
  for (const ConvCase& c : kConvCases) {
    const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2), b = random_tensor({c.w[0]}, 3);
    Tensor y, padded, rectified, rectified_padded;
    fast::conv2d_forward(x, w, b, c.stride, c.padding, nullptr, y, &padded);
    const Tensor dy = random_tensor(y.shape(), 4);
    // Unfused: relu's own kernels after the convolution's.
    const Tensor relu_y = relu_forward(y);
    const auto below_zero = std::count_if(y.values().begin(), y.values().end(), [](Scalar v) { return v < 0; });
    CHECK(below_zero > 0);  // the mask cuts somewhere, and not everywhere
    CHECK(below_zero < std::ptrdiff_t(y.size()));
    Tensor masked(dy.shape());
    fast::relu_backward(relu_y, dy, masked);
    ConvGrads unfused = initial_grads(c);
    fast::conv2d_backward(x, w, masked, c.stride, c.padding, unfused.dx, unfused.dw, unfused.db, nullptr, {}, &padded);
    for (ThreadPool* pool : pools.all()) {
      INFO(conv_name(c) << ", " << pool_name(pool));
      fast::conv2d_forward(x, w, b, c.stride, c.padding, pool, rectified, &rectified_padded, /*rectify=*/true);
      CHECK(bit_identical(rectified, relu_y));
      ConvGrads fused = initial_grads(c);
      fast::conv2d_backward(x, w, dy, c.stride, c.padding, fused.dx, fused.dw, fused.db, pool, {}, &rectified_padded,
                            &rectified);
      CHECK(bit_identical(fused.dx, unfused.dx));
      CHECK(bit_identical(fused.dw, unfused.dw));
      CHECK(bit_identical(fused.db, unfused.db));
    }
  }
}
