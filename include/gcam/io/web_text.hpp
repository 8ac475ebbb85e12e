// web_text.hpp — text for the HTML pages the project writes (the Grad-CAM
// report, compare.html): escaping, and pictures inlined as data URIs so that
// a page opens offline, on its own.
#pragma once

#include <string>

namespace gcam {

// `text` with &, <, > and " replaced by their entities: safe in HTML and SVG
// text and in attribute values.
std::string escape_html(const std::string& text);

// RFC 4648 base64 with '=' padding (data URIs).
std::string base64(const std::string& bytes);

// "data:image/png;base64,..." for a PNG file's bytes.
std::string png_data_uri(const std::string& png_bytes);

}  // namespace gcam
