// The stb implementations are compiled here and only here; stb's headers are
// system headers, so their warnings are silent.
//
// Only the decoders of the formats load_image documents are compiled in
// (PNG, JPEG, BMP, PGM/PPM, TGA, GIF): stb's PSD, HDR and PIC readers would
// be attack surface that nothing here needs. PNG keeps stb's zlib, which
// gunzip uses.
//
// stb.hpp comes first: stb_image.h guards its declarations but not its
// implementation, which must be included exactly once, after the macros.
#include "stb.hpp"

#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_PNM
#define STBI_ONLY_TGA
#define STBI_ONLY_GIF
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

namespace gcam {

std::string stb_reason() {
  const char* reason = stbi_failure_reason();
  return reason ? reason : "unknown reason";
}

}  // namespace gcam
