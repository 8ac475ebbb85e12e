// LRP composites: a rule per layer position (lrp_composite.hpp).
#include "gcam/methods/lrp_composite.hpp"

#include <stdexcept>

#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "lrp_rules.hpp"

namespace gcam {

LrpPosition lrp_position(const Tape& tape, const Record& r, Var input) {
  if (r.kind != OpKind::Conv2d && r.kind != OpKind::Linear)
    throw std::invalid_argument(std::string("lrp_position: a conv2d or linear record, got ") + op_name(r.kind));
  int below = r.inputs[0];
  while (below != input.id && tape.at(below).kind == OpKind::Reshape) below = tape.at(below).inputs[0];
  if (below == input.id) return LrpPosition::First;
  return r.kind == OpKind::Conv2d ? LrpPosition::Conv : LrpPosition::Dense;
}

std::map<OpKind, BackwardRule> lrp_rules(const LrpComposite& composite, const Tape& recorded, Var input) {
  if (composite.conv.rule == LrpRule::ZBox || composite.dense.rule == LrpRule::ZBox)
    throw std::invalid_argument("lrp_rules: the z^B (box) rule is for the first layer only, not for conv or dense");
  const auto choose = [composite, input](const Tape& tape, const Record& r) {
    switch (lrp_position(tape, r, input)) {
      case LrpPosition::First: return composite.first;
      case LrpPosition::Conv: return composite.conv;
      default: return composite.dense;
    }
  };
  return lrp_detail::rule_set(choose, composite.epsilon, recorded);
}

Tensor lrp_relevance(Model& model, const Tensor& images, const std::vector<int>& classes, const LrpComposite& composite,
                     const MethodOptions& options) {
  return lrp_detail::relevance_with(model, images, classes, options, "lrp_relevance (composite)",
                                    [&](const Tape& tape, Var input) { return lrp_rules(composite, tape, input); });
}

namespace {

LrpOptions rule(LrpRule kind) {
  LrpOptions o;
  o.rule = kind;
  return o;  // ε = 1e-6, α = 2, γ = 0.25, box from the batch: the defaults of LrpOptions
}

}  // namespace

std::vector<std::string> lrp_composite_names() {
  return {"epsilon-plus-flat", "epsilon-gamma-box", "epsilon-plus", "epsilon-alpha2-beta1"};
}

LrpComposite lrp_composite(const std::string& name) {
  const LrpOptions epsilon = rule(LrpRule::Epsilon);
  if (name == "epsilon-plus-flat") return {rule(LrpRule::Flat), rule(LrpRule::ZPlus), epsilon};
  if (name == "epsilon-gamma-box") return {rule(LrpRule::ZBox), rule(LrpRule::Gamma), epsilon};
  if (name == "epsilon-plus") return {rule(LrpRule::ZPlus), rule(LrpRule::ZPlus), epsilon};
  if (name == "epsilon-alpha2-beta1") return {rule(LrpRule::AlphaBeta), rule(LrpRule::AlphaBeta), epsilon};
  throw UnknownName(unknown_name_message("LRP composite", name, lrp_composite_names()));
}

}  // namespace gcam
