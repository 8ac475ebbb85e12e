// svg.hpp — the report's two drawings that are better as vector graphics:
// the bar chart of the channel weights α^c_k and the tape as a graph. Both
// are written as SVG text by the project (no Graphviz, no scripts).
#pragma once

#include <string>
#include <vector>

namespace gcam::report {

// The α^c_k bar chart: one bar per channel, in `order` (indices into
// `alpha`), signed around a zero line, each labelled with its k below the
// axis; the bar of channel `highlight` (or none, -1) drawn in a second colour.
std::string alpha_bar_chart_svg(const std::vector<double>& alpha, const std::vector<int>& order, int highlight);

// One recorded value of the tape, as the graph draws it.
struct TapeNode {
  int id = 0;               // its index on the tape
  std::string label;        // "conv2d conv1 (1,8,32,32)"
  std::vector<int> inputs;  // ids of the drawn nodes it read
  bool visited = false;     // the Grad-CAM walk ran its backward rule
  bool stop = false;        // A: the walk stops here
  bool seed = false;        // y^c: the walk starts here, seeded with 1
};

// The tape drawn as what it is, a list: one row per node in recording order
// (top = first recorded), an edge from each input to its reader (straight
// between neighbours, an arc on the right otherwise), visited nodes filled,
// the seed and the stop marked.
std::string tape_graph_svg(const std::vector<TapeNode>& nodes);

}  // namespace gcam::report
