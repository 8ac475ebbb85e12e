// One target layer of the report (layer_study.hpp).
#include "layer_study.hpp"

#include <algorithm>
#include <numeric>

namespace gcam::report {

namespace {

GradCamResult run(Model& model, const Tensor& image, const std::string& layer, int c, ScoreKind score,
                  bool counterfactual) {
  GradCamOptions options;
  options.layer = layer;
  options.classes = {c};
  options.score = score;
  options.counterfactual = counterfactual;
  options.kernels = Kernels::Reference;  // the loops a student reads; one image is fast enough
  return grad_cam(model, image, options);
}

std::string node_label(const Record& r) {
  std::string label = op_name(r.kind);
  if (!r.name.empty()) label += " " + r.name;
  return label + " " + shape_string(r.output().shape());
}

// Records the walk from y^c down to A runs: those above A (id > A's) that y^c
// depends on and that depend on A. Marked from both ends of the tape.
std::vector<bool> walked_records(const Tape& tape, Var score, Var A) {
  std::vector<bool> from_a(std::size_t(tape.size()), false), to_score(std::size_t(tape.size()), false);
  from_a[std::size_t(A.id)] = true;
  for (int id = A.id + 1; id < tape.size(); ++id)
    for (const int input : tape.at(id).inputs)
      from_a[std::size_t(id)] = from_a[std::size_t(id)] || from_a[std::size_t(input)];
  to_score[std::size_t(score.id)] = true;
  for (int id = score.id; id > A.id; --id)
    if (to_score[std::size_t(id)])
      for (const int input : tape.at(id).inputs) to_score[std::size_t(input)] = true;
  std::vector<bool> walked(std::size_t(tape.size()), false);
  for (int id = A.id + 1; id < tape.size(); ++id)
    walked[std::size_t(id)] = from_a[std::size_t(id)] && to_score[std::size_t(id)];
  return walked;
}

// The tape of class c's run, drawn without its parameter leaves.
void record_tape(Model& model, const Tensor& image, LayerStudy& study, int c, ScoreKind score) {
  Tape tape(Kernels::Reference);
  const ForwardPass pass = model.forward(tape, image);
  const Var A = model.output_of(pass, study.result.layer);
  const Var y = class_score(tape, pass.logits, {c}, score);
  const std::vector<bool> walked = walked_records(tape, y, A);
  study.stop_id = A.id;
  study.seed_id = y.id;
  for (int id = 0; id < tape.size(); ++id) {
    const Record& r = tape.at(id);
    if (r.kind == OpKind::Parameter) continue;
    TapeNode node{id, node_label(r), {}, walked[std::size_t(id)], id == A.id, id == y.id};
    for (const int input : r.inputs)
      if (tape.at(input).kind != OpKind::Parameter) node.inputs.push_back(input);
    if (node.visited) study.visited.push_back(id);
    study.tape.push_back(std::move(node));
  }
}

}  // namespace

std::vector<int> classes_by_logit(const Tensor& logits) {
  std::vector<int> order(std::size_t(logits.dim(1)));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits.at(0, a) > logits.at(0, b); });
  return order;
}

LayerStudy study_layer(Model& model, const Tensor& image, const std::string& layer, int c, ScoreKind score) {
  LayerStudy study;
  study.result = run(model, image, layer, c, score, false);
  study.layer = study.result.layer;
  study.counterfactual = run(model, image, layer, c, score, true);
  const std::vector<int> ranked = classes_by_logit(study.result.logits);
  const int second = ranked[0] == c ? ranked[std::min<std::size_t>(1, ranked.size() - 1)] : ranked[0];
  study.second = run(model, image, layer, second, score, false);
  const Tensor& alpha = study.result.weights;
  study.bar_order.resize(std::size_t(alpha.dim(1)));
  std::iota(study.bar_order.begin(), study.bar_order.end(), 0);
  std::stable_sort(study.bar_order.begin(), study.bar_order.end(),
                   [&](int a, int b) { return alpha.at(0, a) > alpha.at(0, b); });
  study.top_channel = study.bar_order[0];
  const Tensor& g = study.result.gradients;
  for (int i = 0; i < g.dim(2); ++i)
    for (int j = 0; j < g.dim(3); ++j) study.top_gradient_sum += double(g.at(0, study.top_channel, i, j));
  double largest = 0;
  for (const GradCamResult* r : {&study.result, &study.counterfactual, &study.second})
    for (std::size_t e = 0; e < r->upsampled.size(); ++e) largest = std::max(largest, double(r->upsampled[e]));
  study.shared_max = largest > 0 ? largest : 1;
  record_tape(model, image, study, c, score);
  return study;
}

}  // namespace gcam::report
