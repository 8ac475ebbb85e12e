// The report's SVG drawings (svg.hpp).
#include "svg.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "gcam/io/web_text.hpp"
#include "gcam/render/figure.hpp"

namespace gcam::report {

namespace {

constexpr const char* kPositive = "#b2182b";  // the diverging map's red end
constexpr const char* kNegative = "#2166ac";  // and its blue end
constexpr const char* kHighlight = "#f4a300";

}  // namespace

std::string alpha_bar_chart_svg(const std::vector<double>& alpha, const std::vector<int>& order, int highlight) {
  const int K = int(order.size());
  const int bar = std::max(6, std::min(24, 720 / std::max(1, K))), left = 60, plot_height = 180;
  const int width = left + K * bar + 20, height = plot_height + 60;
  double low = 0, high = 0;
  for (double a : alpha) low = std::min(low, a), high = std::max(high, a);
  if (high - low <= 0) high = 1;
  auto y_of = [&](double v) { return 10 + (high - v) / (high - low) * plot_height; };
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"monospace\" font-size=\"9\">\n";
  const double zero = y_of(0);
  for (int i = 0; i < K; ++i) {
    const int k = order[std::size_t(i)];
    const double a = alpha[std::size_t(k)], top = std::min(zero, y_of(a));
    const char* fill = k == highlight ? kHighlight : a >= 0 ? kPositive : kNegative;
    svg << "<rect x=\"" << left + i * bar + 1 << "\" y=\"" << top << "\" width=\"" << bar - 2 << "\" height=\""
        << std::fabs(y_of(a) - zero) << "\" fill=\"" << fill << "\"><title>k = " << k << ", α = " << a
        << "</title></rect>\n";
    svg << "<text x=\"" << left + i * bar + bar / 2 << "\" y=\"" << plot_height + 26 << "\" text-anchor=\"middle\">"
        << k << "</text>\n";
  }
  svg << "<line x1=\"" << left << "\" x2=\"" << left + K * bar << "\" y1=\"" << zero << "\" y2=\"" << zero
      << "\" stroke=\"black\"/>\n";
  for (const double tick : {low, 0.0, high})
    svg << "<text x=\"" << left - 4 << "\" y=\"" << y_of(tick) + 3 << "\" text-anchor=\"end\">"
        << escape_html(short_number(tick)) << "</text>\n";
  svg << "<text x=\"" << left << "\" y=\"" << height - 8 << "\">k (channels sorted by α, largest first)</text>\n";
  svg << "</svg>\n";
  return svg.str();
}

std::string tape_graph_svg(const std::vector<TapeNode>& nodes) {
  constexpr int row = 24, box_left = 150, box_width = 300, top = 30;
  std::map<int, int> row_of;  // tape id → row
  for (std::size_t r = 0; r < nodes.size(); ++r) row_of[nodes[r].id] = int(r);
  const int height = top + int(nodes.size()) * row + 20, width = box_left + box_width + 260;
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << height
      << "\" font-family=\"monospace\" font-size=\"11\">\n"
      << "<text x=\"4\" y=\"14\">recorded top to bottom; Grad-CAM's walk runs bottom to top, from y^c down to "
         "A</text>\n";
  auto mid_y = [&](int r) { return top + r * row + row / 2 - 2; };
  for (std::size_t r = 0; r < nodes.size(); ++r)
    for (const int input : nodes[r].inputs) {
      const auto from = row_of.find(input);
      if (from == row_of.end()) continue;
      const int gap = int(r) - from->second;
      const bool walked =
          nodes[r].visited && (nodes[std::size_t(from->second)].visited || nodes[std::size_t(from->second)].stop);
      const char* colour = walked ? "#e6550d" : "#888";
      if (gap == 1) {
        svg << "<line x1=\"" << box_left + 20 << "\" y1=\"" << mid_y(from->second) + 8 << "\" x2=\"" << box_left + 20
            << "\" y2=\"" << mid_y(int(r)) - 8 << "\" stroke=\"" << colour << "\"/>\n";
      } else {
        const int x = box_left + box_width, bend = x + std::min(200, 20 + 8 * gap);
        svg << "<path d=\"M" << x << ' ' << mid_y(from->second) << " C" << bend << ' ' << mid_y(from->second) << ' '
            << bend << ' ' << mid_y(int(r)) << ' ' << x << ' ' << mid_y(int(r)) << "\" fill=\"none\" stroke=\""
            << colour << "\"/>\n";
      }
    }
  for (std::size_t r = 0; r < nodes.size(); ++r) {
    const TapeNode& n = nodes[r];
    const char* fill = n.visited ? "#fdd49e" : "#f4f4f4";
    const char* stroke = n.stop ? "#2166ac" : n.visited ? "#e6550d" : "#999";
    svg << "<rect x=\"" << box_left << "\" y=\"" << top + int(r) * row << "\" width=\"" << box_width << "\" height=\""
        << row - 6 << "\" rx=\"3\" fill=\"" << fill << "\" stroke=\"" << stroke << "\" stroke-width=\""
        << (n.stop || n.seed ? 3 : 1) << "\"/>\n";
    svg << "<text x=\"" << box_left + 4 << "\" y=\"" << mid_y(int(r)) + 4 << "\">" << escape_html(n.label)
        << "</text>\n";
    svg << "<text x=\"" << box_left - 6 << "\" y=\"" << mid_y(int(r)) + 4 << "\" text-anchor=\"end\">#" << n.id;
    if (n.stop) svg << "  A: walk stops";
    if (n.seed) svg << "  y^c: seed 1";
    svg << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace gcam::report
