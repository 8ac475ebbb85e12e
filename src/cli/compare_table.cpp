// gradcam compare, the tables: the score columns of the first table and of
// the second (the Quantus families), and the one layout that Markdown and
// HTML share.
#include <cmath>
#include <cstdio>
#include <sstream>

#include "compare.hpp"
#include "gcam/io/web_text.hpp"

namespace gcam::cli::compare {

const std::vector<Column>& score_columns() {
  static const std::vector<Column> columns{
      {"pointing game % ↑", "pointing_pct", true, 1, &MethodScores::pointing_pct},
      {"pointing ±2 px % ↑", "pointing_tol2_pct", true, 1, &MethodScores::pointing_tol2_pct},
      {"energy in mask ↑", "energy_inside", true, 3, &MethodScores::energy_inside},
      {"IoU@0.5 ↑", "iou_at_0.5", true, 3, &MethodScores::iou_at_half},
      {"deletion AUC ↓", "deletion_auc", false, 3, &MethodScores::deletion_auc},
      {"insertion AUC ↑", "insertion_auc", true, 3, &MethodScores::insertion_auc},
      {"Average Drop % ↓", "average_drop_pct", false, 1, &MethodScores::average_drop_pct},
      {"Increase in Conf. % ↑", "increase_in_confidence_pct", true, 1, &MethodScores::increase_in_confidence_pct},
      {"ROAD MoRF ↓", "road_morf", false, 3, &MethodScores::road_morf},
      {"ROAD LeRF ↑", "road_lerf", true, 3, &MethodScores::road_lerf},
      {"ROAD (LeRF−MoRF)/2 ↑", "road_combined", true, 3, &MethodScores::road_combined},
  };
  return columns;
}

const std::vector<Column>& quantus_columns() {
  const char* na = "n/a";
  static const std::vector<Column> columns{
      {"sparseness ↑", "sparseness", true, 3, &MethodScores::sparseness, na},
      {"entropy ↓", "entropy_complexity", false, 2, &MethodScores::entropy_complexity, na},
      {"eff. complexity % ↓", "effective_complexity_pct", false, 1, &MethodScores::effective_complexity_pct, na},
      {"rank accuracy ↑", "relevance_rank_accuracy", true, 3, &MethodScores::rank_accuracy, kNoMasks},
      {"top-k ∩ ↑", "top_k_intersection", true, 3, &MethodScores::top_k, kNoMasks},
      {"faithf. corr. ↑", "faithfulness_correlation", true, 3, &MethodScores::faithfulness_correlation, na},
      {"IROF ↑", "irof", true, 3, &MethodScores::irof, na},
      {"monotonicity ρ ↑", "monotonicity_correlation", true, 3, &MethodScores::monotonicity, na},
      {"infidelity ↓", "infidelity", false, 4, &MethodScores::infidelity, na},
      {"completeness gap ↓", "completeness_gap", false, 2, &MethodScores::completeness_gap, na},
      {"max-sens. ↓", "max_sensitivity", false, 3, &MethodScores::max_sensitivity, na},
      {"avg-sens. ↓", "avg_sensitivity", false, 3, &MethodScores::avg_sensitivity, na},
      {"local Lipschitz ↓", "local_lipschitz", false, 2, &MethodScores::local_lipschitz, na},
      {"random logit ρ ↓", "random_logit", false, 3, &MethodScores::random_logit, na},
      {"input invariance ↓", "input_invariance", false, 3, &MethodScores::input_invariance, na},
  };
  return columns;
}

namespace {

// The row of the best value of `column` (the first one on a tie), or none
// (results.size()) when the column has no values (n/a).
std::size_t best_row(const std::vector<MethodResult>& results, const Column& column) {
  std::size_t best = results.size();
  for (std::size_t r = 0; r < results.size(); ++r) {
    const double v = results[r].scores.*column.field;
    if (std::isnan(v)) continue;
    if (best == results.size() ||
        (column.higher_better ? v > results[best].scores.*column.field : v < results[best].scores.*column.field))
      best = r;
  }
  return best;
}

}  // namespace

Table score_table(const std::vector<MethodResult>& results, const std::vector<Column>& columns) {
  Table table;
  for (const Column& c : columns) table.headers.push_back(c.header);
  for (const MethodResult& result : results) {
    table.labels.push_back(result.method + (is_baseline(result.method) ? " (baseline)" : ""));
    table.cells.emplace_back();
    for (const Column& c : columns)
      table.cells.back().push_back({score_text(result.scores.*c.field, c.digits, c.missing)});
  }
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const std::size_t best = best_row(results, columns[c]);
    if (best < results.size()) table.cells[best][c].bold = true;
  }
  return table;
}

Table sanity_table(const Comparison& comparison) {
  Table table;
  for (const auto& s : comparison.stage_names) table.headers.push_back(s == "original" ? s : "→ " + s);
  for (const MethodResult& result : comparison.results) {
    table.labels.push_back(result.method);
    table.cells.emplace_back();
    for (double v : result.sanity) table.cells.back().push_back({fixed(v, 3)});
  }
  return table;
}

std::string markdown_table(const Table& table) {
  std::ostringstream md;
  md << "| method |";
  for (const auto& h : table.headers) md << " " << h << " |";
  md << "\n|---|";
  for (std::size_t c = 0; c < table.headers.size(); ++c) md << "---:|";
  md << "\n";
  for (std::size_t r = 0; r < table.labels.size(); ++r) {
    md << "| " << table.labels[r] << " |";
    for (const Cell& cell : table.cells[r]) md << " " << (cell.bold ? "**" + cell.text + "**" : cell.text) << " |";
    md << "\n";
  }
  return md.str();
}

std::string html_table(const Table& table) {
  std::ostringstream html;
  html << "<table><tr><th>method</th>";
  for (const auto& h : table.headers) html << "<th>" << escape_html(h) << "</th>";
  html << "</tr>\n";
  for (std::size_t r = 0; r < table.labels.size(); ++r) {
    html << "<tr><td>" << escape_html(table.labels[r]) << "</td>";
    for (const Cell& cell : table.cells[r])
      html << "<td>" << (cell.bold ? "<b>" + cell.text + "</b>" : cell.text) << "</td>";
    html << "</tr>\n";
  }
  html << "</table>\n";
  return html.str();
}

std::string score_text(double v, int digits, const char* missing) { return std::isnan(v) ? missing : fixed(v, digits); }

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace gcam::cli::compare
