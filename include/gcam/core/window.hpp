// window.hpp — the size of a sliding window's output, shared by convolution,
// pooling, their fast kernels and the layers that predict output shapes.
#pragma once

namespace gcam {

// Size of one spatial output dimension: (in + 2·padding − kernel) / stride + 1.
inline int conv_output_size(int in, int kernel, int stride, int padding) {
  return (in + 2 * padding - kernel) / stride + 1;
}

}  // namespace gcam
