// vector_unit.hpp — the target's vector registers, known at compile time from
// the -m flags (private to src/fast/). Only tile sizes depend on them; the
// kernels are the same C++ everywhere.
#pragma once

namespace gcam {
namespace fast {

#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;      // zmm: 16 floats / 8 doubles
constexpr int kVectorRegisters = 32;  // zmm0..zmm31
#elif defined(__AVX__)
constexpr int kVectorBytes = 32;  // ymm
constexpr int kVectorRegisters = 16;
#else
constexpr int kVectorBytes = 16;  // xmm (SSE2, NEON)
constexpr int kVectorRegisters = 16;
#endif

}  // namespace fast
}  // namespace gcam
