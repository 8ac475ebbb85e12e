// The fused convolutions' fast kernels (CR1)–(CR2), (CRP1)–(CRP2) of
// include/gcam/ops/conv2d.hpp against a convolution followed by a separate
// ReLU and max-pool: the same bits, values and winners.
#include <algorithm>

#include "conv_cases.hpp"
#include "gcam/core/error.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "gcam/ops/ops.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

bool same_bits(const ConvGrads& a, const ConvGrads& b) {
  return bit_identical(a.dx, b.dx) && bit_identical(a.dw, b.dw) && bit_identical(a.db, b.db);
}

// The unfused backward: dy_y (the gradient of the convolution's output) into the fast conv backward.
ConvGrads unfused_backward(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& dy_y,
                           const Tensor& padded) {
  ConvGrads g = initial_grads(c);
  fast::conv2d_backward(x, w, dy_y, c.stride, c.padding, g.dx, g.dw, g.db, nullptr, {}, &padded);
  return g;
}

}  // namespace

TEST_CASE("fast conv2d with a ReLU or a ReLU and max-pool epilogue gives the separate ops' bits",
          "[fast][float][conv2d][relu]") {
  Pools pools;
  for (const ConvCase& c : kConvCases) {
    const Tensor x = random_tensor(c.x, 1), w = random_tensor(c.w, 2), b = random_tensor({c.w[0]}, 3);
    Tensor y, padded, fused, fused_padded;
    fast::conv2d_forward(x, w, b, c.stride, c.padding, nullptr, y, &padded);
    const Tensor relu_y = relu_forward(y);
    const auto below_zero = std::count_if(y.values().begin(), y.values().end(), [](Scalar v) { return v < 0; });
    CHECK(below_zero > 0);  // the mask cuts somewhere, and not everywhere
    CHECK(below_zero < std::ptrdiff_t(y.size()));
    // (CR1)–(CR2) unfused: relu's own kernels after the convolution's.
    const Tensor dy = random_tensor(y.shape(), 4);
    Tensor masked(dy.shape());
    fast::relu_backward(relu_y, dy, masked);
    const ConvGrads relu_ref = unfused_backward(c, x, w, masked, padded);
    // (CRP1)–(CRP2) unfused: then max_pool2d's.
    const bool poolable = y.dim(2) >= 2 && y.dim(3) >= 2;
    std::vector<int> winners_ref, winners;
    const Tensor z_ref = poolable ? max_pool2d_forward(relu_y, 2, 2, winners_ref) : Tensor();
    const Tensor dz = random_tensor(z_ref.shape(), 5);
    Tensor scattered(y.shape()), pooled_masked(y.shape());
    if (poolable) max_pool2d_backward(dz, winners_ref, scattered);
    fast::relu_backward(relu_y, scattered, pooled_masked);
    const ConvGrads pool_ref = unfused_backward(c, x, w, pooled_masked, padded);
    for (ThreadPool* pool : pools.all()) {
      INFO(conv_name(c) << ", " << pool_name(pool));
      fast::conv2d_forward(x, w, b, c.stride, c.padding, pool, fused, &fused_padded, fast::Epilogue::Relu);
      CHECK(bit_identical(fused, relu_y));
      ConvGrads g = initial_grads(c);
      fast::conv2d_backward(x, w, dy, c.stride, c.padding, g.dx, g.dw, g.db, pool, {}, &fused_padded,
                            {fast::Epilogue::Relu, &fused, nullptr});
      CHECK(same_bits(g, relu_ref));
      if (!poolable) continue;
      fast::conv2d_forward(x, w, b, c.stride, c.padding, pool, fused, &fused_padded, fast::Epilogue::ReluMaxPool,
                           &winners);
      CHECK(bit_identical(fused, z_ref));
      CHECK(winners == winners_ref);
      g = initial_grads(c);
      fast::conv2d_backward(x, w, dz, c.stride, c.padding, g.dx, g.dw, g.db, pool, {}, &fused_padded,
                            {fast::Epilogue::ReluMaxPool, &fused, &winners});
      CHECK(same_bits(g, pool_ref));
    }
  }
}

TEST_CASE("fast conv2d backward refuses an epilogue output that does not fit dy", "[fast][float][conv2d][errors]") {
  const Tensor x = random_tensor({2, 3, 8, 8}, 1), w = random_tensor({4, 3, 3, 3}, 2), b = random_tensor({4}, 3);
  Tensor z;
  std::vector<int> winners;
  fast::conv2d_forward(x, w, b, 1, 1, nullptr, z, nullptr, fast::Epilogue::ReluMaxPool, &winners);
  CHECK(z.shape() == Shape{2, 4, 4, 4});
  Tensor dx(x.shape()), dw(w.shape()), db({4});
  const Tensor unpooled_dy = random_tensor({2, 4, 8, 8}, 4);
  CHECK_THROWS_WITH(fast::conv2d_backward(x, w, unpooled_dy, 1, 1, dx, dw, db, nullptr, {}, nullptr,
                                          {fast::Epilogue::ReluMaxPool, &z, &winners}),
                    Catch::Contains("does not match the output shape [2, 4, 4, 4]"));
  const std::vector<int> too_few(3);
  CHECK_THROWS_AS(fast::conv2d_backward(x, w, random_tensor(z.shape(), 5), 1, 1, dx, dw, db, nullptr, {}, nullptr,
                                        {fast::Epilogue::ReluMaxPool, &z, &too_few}),
                  ShapeError);
  CHECK_THROWS_AS(fast::conv2d_forward(x, w, b, 1, 1, nullptr, z, nullptr, fast::Epilogue::ReluMaxPool, nullptr),
                  std::invalid_argument);
}
