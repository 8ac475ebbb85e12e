// "Did you mean ...?" for unknown names (include/gcam/core/names.hpp).
#include "gcam/core/names.hpp"

#include <algorithm>
#include <cctype>

namespace gcam {

namespace {

char folded(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string lower(std::string s) {
  for (char& c : s) c = folded(c);
  return s;
}

}  // namespace

int edit_distance(const std::string& a, const std::string& b) {
  // One row of the dynamic-programming table at a time: row[j] = distance
  // between the first i characters of a and the first j of b.
  std::vector<int> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = int(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    int diagonal = row[0];
    row[0] = int(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int substitute = diagonal + (folded(a[i - 1]) == folded(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

std::string closest_name(const std::string& name, const std::vector<std::string>& valid) {
  std::string best;
  int best_distance = 0;
  for (const std::string& candidate : valid) {
    const int d = edit_distance(name, candidate);
    const int allowed = std::max(1, int(std::max(name.size(), candidate.size())) / 3);
    if (d <= allowed && (best.empty() || d < best_distance)) best = candidate, best_distance = d;
  }
  if (!best.empty() || name.size() < 2) return best;
  const std::string typed = lower(name);
  for (const std::string& candidate : valid) {  // "grad" for "gradcam", "conv" for "block2.conv"
    const std::string c = lower(candidate);
    if (c.rfind(typed, 0) == 0 ||
        (c.size() > typed.size() && c.compare(c.size() - typed.size(), typed.size(), typed) == 0))
      return candidate;
  }
  return best;
}

std::string join_names(const std::vector<std::string>& names, const std::string& separator) {
  std::string joined;
  for (const std::string& n : names) joined += (joined.empty() ? "" : separator) + n;
  return joined;
}

std::string unknown_name_message(const std::string& kind, const std::string& name,
                                 const std::vector<std::string>& valid, const std::string& plural) {
  std::string message = "unknown " + kind + " '" + name + "'; ";
  const std::string suggestion = closest_name(name, valid);
  if (!suggestion.empty()) message += "did you mean '" + suggestion + "'? ";
  return message + (plural.empty() ? kind + "s" : plural) + " are: " + join_names(valid);
}

}  // namespace gcam
