// The convolution shapes and thread pools the fast-kernel tests share
// (tests/test_fast_kernels.cpp, tests/test_fast_conv_relu.cpp).
#pragma once

#include <string>
#include <vector>

#include "gcam/core/tensor.hpp"
#include "gcam/core/thread_pool.hpp"
#include "helpers.hpp"

namespace gcam_test {

// The pools every agreement test runs with: none (single-threaded) and 2 threads.
struct Pools {
  gcam::ThreadPool two{2};
  std::vector<gcam::ThreadPool*> all() { return {nullptr, &two}; }
};

inline std::string pool_name(const gcam::ThreadPool* pool) {
  return pool ? std::to_string(pool->threads()) + " threads" : "no pool";
}

// The shapes every fast convolution is checked on (a test holds them to
// covering every layout of the implicit GEMM).
struct ConvCase {
  gcam::Shape x, w;
  int stride, padding;
};

inline const ConvCase kConvCases[] = {
    {{2, 3, 7, 6}, {4, 3, 3, 3}, 1, 1},       // odd sizes
    {{1, 1, 5, 5}, {1, 1, 1, 1}, 1, 0},       // batch 1, 1×1 kernel
    {{1, 3, 6, 6}, {2, 3, 1, 1}, 2, 0},       // 1×1 kernel, stride 2
    {{3, 2, 9, 8}, {5, 2, 5, 5}, 2, 2},       // 5×5 kernel, stride 2, padding 2
    {{2, 4, 8, 8}, {8, 4, 3, 3}, 2, 0},       // stride 2, no padding
    {{1, 3, 11, 13}, {7, 3, 3, 5}, 1, 2},     // non-square kernel
    {{2, 2, 3, 3}, {3, 2, 5, 5}, 1, 2},       // kernel larger than the image
    {{4, 16, 16, 16}, {32, 16, 3, 3}, 1, 1},  // big enough for threads and blocking
    {{10, 8, 48, 48}, {4, 8, 3, 3}, 1, 1},    // several chunks of images
    {{3, 1, 28, 28}, {16, 1, 3, 3}, 1, 1},    // fashion-cnn's conv1: one input channel
    {{2, 3, 9, 7}, {5, 3, 3, 3}, 1, 0},       // no padding
    {{2, 1, 6, 5}, {3, 1, 5, 5}, 1, 3},       // padding beyond the kernel's reach
    {{3, 8, 7, 7}, {40, 8, 3, 3}, 1, 1},      // dW by outer products, edge tiles, rows not whole vectors
    {{3, 16, 28, 28}, {32, 16, 3, 3}, 2, 1},  // resnet-mini's layer2.0.conv1: four phases, (C3) by outer products
    {{2, 6, 14, 14}, {9, 6, 3, 3}, 2, 1},     // stride 2, (C3) by dot products, odd tiles
    {{2, 16, 28, 28}, {32, 16, 1, 1}, 2, 0},  // resnet-mini's downsampling: one phase of four stored
    {{2, 3, 10, 11}, {4, 3, 3, 3}, 3, 1},     // stride 3: nine phases, uneven ones
    {{1, 2, 9, 9}, {3, 2, 2, 4}, 2, 0},       // even, non-square kernel at stride 2
    {{3, 16, 28, 28}, {16, 16, 3, 3}, 1, 1},  // resnet-mini's layer1: (C3) by outer products one vector wide
};

inline std::string conv_name(const ConvCase& c) {
  return "x " + gcam::shape_string(c.x) + " w " + gcam::shape_string(c.w) + " stride " + std::to_string(c.stride) +
         " padding " + std::to_string(c.padding);
}

struct ConvGrads {
  gcam::Tensor dx, dw, db;
};

// Backward starting from nonzero gradients, to test the += contract.
inline ConvGrads initial_grads(const ConvCase& c) {
  return {random_tensor(c.x, 31), random_tensor(c.w, 32), random_tensor({c.w[0]}, 33)};
}

}  // namespace gcam_test
