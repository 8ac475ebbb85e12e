// stb.hpp (internal to src/io) — stb_image's declarations, and its failure
// reason as text, for the files that call stb: the image codec, its guards
// and gunzip (which borrows stb's inflater).
#pragma once

#include <stb/stb_image.h>

#include <string>

namespace gcam {

// stb's reason for the last failure, for error messages.
std::string stb_reason();

}  // namespace gcam
