// compare.hpp — the parts of `gradcam compare`: what was asked
// (compare_command.cpp), each method's maps and scores (compare_run.cpp; the
// Quantus families: compare_quantus.cpp), the two tables of score columns
// (compare_table.cpp) and the four files written from them (compare_write.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gcam/core/tensor.hpp"
#include "gcam/evaluate/faithfulness.hpp"
#include "gcam/methods/cam_methods.hpp"
#include "gcam/nn/model.hpp"

namespace gcam::cli::compare {

inline const char* const kRandom = "random";           // baseline: uniform noise map
inline const char* const kSobel = "sobel";             // baseline: edge detector
inline const char* const kNoMasks = "n/a (no masks)";  // a mask score without masks

// The command line, checked: nothing is loaded before all of it is known good.
struct Request {
  std::string ckpt, data;
  int count = 0, steps = 0, montage_rows = 0, sanity_images = 0;
  std::vector<std::string> methods;
  std::string png_path, md_path, csv_path, html_path;
  std::string command;  // "gradcam compare <arguments>", quoted in the reports
};

// What is explained: image i for class classes[i], whose object is
// masks[i·H·W ..]; `masks` is empty for data without object masks
// (Fashion-MNIST, a folder of images): the mask scores are then n/a.
struct Items {
  std::string description;
  Tensor images;
  std::vector<int> classes;
  std::vector<std::uint8_t> masks;
  std::vector<std::string> class_names;
};

// --data: "scenes", "shapes-test" (with masks), any other "<set>-<split>"
// (fashion-test) or a folder of images (without). `model` classifies the
// folder's images and gives their input size.
Items load_items(const std::string& data, int count, Model& model);

// One method's faithfulness scores, each the mean over the maps.
struct MethodScores {
  double pointing_pct = 0;       // pointing game hits, %
  double pointing_tol2_pct = 0;  // the same with the peak allowed ±2 px outside the mask
  double energy_inside = 0;      // share of the positive map inside the mask
  double iou_at_half = 0;        // IoU of the map thresholded at 0.5 with the mask
  double deletion_auc = 0;
  double insertion_auc = 0;
  double average_drop_pct = 0;
  double increase_in_confidence_pct = 0;  // share of maps that raise the score, %
  double road_morf = 0;
  double road_lerf = 0;
  double road_combined = 0;  // (LeRF − MoRF) / 2
  // The Quantus families (compare_quantus.cpp), the second table:
  double sparseness = 0, entropy_complexity = 0;
  double effective_complexity_pct = 0;  // share of pixels with |m| > 0.1 · max |m|, %
  double rank_accuracy = 0, top_k = 0;  // NaN without masks
  double faithfulness_correlation = 0, irof = 0, monotonicity = 0, infidelity = 0, completeness_gap = 0;
  // These re-run the method, on the first --sanity-images maps (NaN when 0; input
  // invariance also when the model's first layer cannot absorb the shift).
  double max_sensitivity = 0, avg_sensitivity = 0, local_lipschitz = 0, random_logit = 0, input_invariance = 0;
};

struct MethodResult {
  std::string method;
  MethodScores scores;
  std::vector<double> sanity;  // mean Spearman per randomization stage
  double seconds = 0;
  Tensor maps;  // (N, 1, H, W), for the montage
};

// The Quantus-family scores of one method (compare_quantus.cpp): those of its
// maps on every item (`probability` and `logit` score the model), and those
// that re-run `method` on `images` (the sanity-check images; when there are
// none these scores are NaN).
void score_quantus_maps(const Items& items, const Tensor& maps, const ScoreFunction& probability,
                        const ScoreFunction& logit, MethodScores& s);
// Returns the input-invariance test's logit change (InputInvariance::logit_change), NaN when not run.
double score_quantus_reruns(Model& model, const ExplainFunction& method, const Tensor& images,
                            const std::vector<int>& classes, MethodScores& s);

struct Comparison {
  std::string architecture;
  std::vector<std::string> stage_names;  // of the sanity check; empty when it was skipped
  int sanity_maps = 0;                   // maps the sanity check used
  double shift_logit_change = 0;         // input invariance: how far the shifted model's logits moved (NaN: not run)
  std::vector<MethodResult> results;     // in the order of Request::methods
};

// Scores every method of the request on `items`, printing a line per method.
Comparison run_comparison(const Request& request, Model& model, const Items& items, const MethodOptions& options);

// A score column: the single place that ties a header to its field, read by
// the Markdown, CSV and HTML writers alike.
struct Column {
  const char* header;    // Markdown and HTML, with ↑ or ↓
  const char* csv_name;  // CSV header
  bool higher_better;    // decides which value is shown in bold
  int digits;            // decimals in Markdown and HTML (CSV: always 6)
  double MethodScores::*field;
  const char* missing = kNoMasks;  // shown for NaN
};
const std::vector<Column>& score_columns();
// The second table's columns: the Quantus families.
const std::vector<Column>& quantus_columns();

// A table as Markdown and HTML both lay it out: "method" and `headers` on
// top, then each row's label and cells; bold cells are the best of a column.
struct Cell {
  std::string text;
  bool bold = false;
};
struct Table {
  std::vector<std::string> headers;
  std::vector<std::string> labels;
  std::vector<std::vector<Cell>> cells;  // one row per label
};
Table score_table(const std::vector<MethodResult>& results, const std::vector<Column>& columns);
Table sanity_table(const Comparison& comparison);
std::string markdown_table(const Table& table);
std::string html_table(const Table& table);

// Writes compare.png, then the Markdown, CSV and HTML reports.
void write_reports(const Request& request, const Items& items, const Comparison& comparison);

bool is_baseline(const std::string& method);
std::string join(const std::vector<std::string>& names);  // "a, b, c"
std::string fixed(double v, int digits);                  // printf "%.*f"
// A score as the tables print it: fixed(v, digits), or `missing` for NaN (a
// mask score without masks).
std::string score_text(double v, int digits, const char* missing);

}  // namespace gcam::cli::compare
