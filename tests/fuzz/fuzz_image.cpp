// libFuzzer target: image input (see fuzz_inputs.hpp and docs/hardening.md).
//   make fuzz FUZZ_TARGETS=image FUZZ_SECONDS=600
#include "fuzz_inputs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gcam_fuzz::image_input(data, size);
  return 0;
}
