// image_guards.hpp (internal to src/io) — the checks decode_image makes on a
// file's bytes before stb_image sees them.
//
// stb_image trusts headers more than a reader of untrusted files may: these
// checks refuse, with a precise message, what would make it allocate without
// bound, read out of bounds or give a vague reason (image_guards.cpp says
// which stb behaviour each one is for).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/error.hpp"

namespace gcam {

// The two shapes of decode_image's FormatError: "load_image: '<name>' <what>"
// and "load_image: cannot decode '<name>': <what>".
FormatError image_error(const std::string& name, const std::string& what);
FormatError decode_error(const std::string& name, const std::string& what);

// The format of an image file by its first bytes ("PNG", "JPEG", "GIF",
// "BMP", "PGM/PPM"), or nullptr (TGA has no signature; other files are not
// images of the supported formats).
const char* image_format(const std::vector<std::uint8_t>& bytes);

// Throws image_error unless width × height is at least 1 × 1 and at most
// kMaxImagePixels.
void check_image_size(std::uint64_t width, std::uint64_t height, const std::string& name);

// Every check before decoding, for bytes of the given `format`
// (image_format's result): not empty, under 2 GiB, sane JPEG Huffman
// tables, the size the header announces, PNG chunks and PGM/PPM numbers.
// Throws FormatError naming `name`.
void check_image_bytes(const std::vector<std::uint8_t>& bytes, const char* format, const std::string& name);

}  // namespace gcam
