// Decoding images with stb (see image_codec.hpp; encoding is in image_encode.cpp). The checks
// that must come before stb sees a file are in image_guards.cpp; here are the
// calls into stb and the checks of what it returns.
#include "gcam/io/image_codec.hpp"

#include <algorithm>
#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/io/files.hpp"
#include "image_guards.hpp"
#include "stb.hpp"

namespace gcam {

// The pixels of an image whose header said width × height × channels (with
// channels in 1..4), decoded by stb with exactly that channel count, so the
// buffer size is known.
static Image decode_pixels(const std::vector<std::uint8_t>& bytes, const std::string& name, const char* format,
                           int width, int height, int channels) {
  int decoded_width = 0, decoded_height = 0, file_channels = 0;
  stbi_uc* decoded = stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &decoded_width,
                                           &decoded_height, &file_channels, channels);
  if (!decoded) {
    // stb tests the PNG signature before the others: for another format that
    // reason is stale, not the cause.
    const std::string reason = stb_reason();
    const bool stale = reason.find("png") != std::string::npos && (!format || std::string(format) != "PNG");
    throw decode_error(name, std::string("a corrupt or truncated ") + (format ? format : "TGA") + " file" +
                                 (stale ? "" : " (" + reason + ")"));
  }
  // The buffer holds decoded_width x decoded_height pixels; copy only if that
  // is what the header promised (a disagreement would be a corrupt file).
  if (decoded_width != width || decoded_height != height) {
    stbi_image_free(decoded);
    throw image_error(name, "decodes to " + std::to_string(decoded_width) + "x" + std::to_string(decoded_height) +
                                " pixels but its header says " + std::to_string(width) + "x" + std::to_string(height) +
                                "; the file is corrupt");
  }
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  const std::size_t pixels = static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  image.pixels.assign(decoded, decoded + pixels * static_cast<std::size_t>(channels));
  stbi_image_free(decoded);
  return image;
}

Image decode_image(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  const char* format = image_format(bytes);
  check_image_bytes(bytes, format, name);
  // Read only the header first: the size check must come before decoding.
  // (stb's failure reason is only a hint: when a file fails as one format,
  // stb tries the next, and the reason left may be that of another format.)
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &channels)) {
    if (format)
      throw image_error(name, "starts like a " + std::string(format) + " file but its header cannot be read (" +
                                  stb_reason() + "); the file is corrupt or truncated");
    throw image_error(name, "is not a readable image (" + stb_reason() + "); use PNG, JPEG, BMP, PGM/PPM, TGA or GIF");
  }
  check_image_size(static_cast<std::uint64_t>(std::max(width, 0)), static_cast<std::uint64_t>(std::max(height, 0)),
                   name);
  if (channels < 1 || channels > 4)
    throw image_error(name, "has " + std::to_string(channels) + " channels; images have 1 to 4");
  return decode_pixels(bytes, name, format, width, height, channels);
}

Image load_image(const std::string& path) { return decode_image(read_file_bytes(path, kMaxImageFileBytes), path); }

}  // namespace gcam
