// HTML escaping and data URIs (include/gcam/io/web_text.hpp).
#include "gcam/io/web_text.hpp"

#include <algorithm>

namespace gcam {

std::string escape_html(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string base64(const std::string& bytes) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t present = std::min<std::size_t>(3, bytes.size() - i);  // bytes in this group of three
    unsigned group = 0;
    for (std::size_t b = 0; b < 3; ++b)
      group = (group << 8) | (b < present ? static_cast<unsigned char>(bytes[i + b]) : 0u);
    for (std::size_t d = 0; d < 4; ++d) out += d <= present ? digits[(group >> (18 - 6 * d)) & 63] : '=';
  }
  return out;
}

std::string png_data_uri(const std::string& png_bytes) { return "data:image/png;base64," + base64(png_bytes); }

}  // namespace gcam
