// lrp_composite.hpp — LRP with a rule per layer position (a "composite", as
// the LRP toolkit Zennit calls it): the conv/dense layer that reads the
// image gets one rule, every other conv another, every dense layer a third.
//
// Position of a Conv2d or Linear record r on the tape (lrp_position):
//   First  r's input 0 is the forward pass's input leaf, or is reached from it
//          through Reshape records only (a Flatten before a first dense layer);
//   Conv   any other Conv2d (the 1×1 downsample convs of resnet-mini too);
//   Dense  any other Linear.
// The other ops (ReLU, pooling, residual sums, batch norms, folded or not)
// keep the rules of lrp.hpp, with LrpComposite::epsilon.
//
// Presets (lrp_composite(name)), named as in Zennit; ε = 1e-6 throughout:
//   epsilon-plus-flat     first flat,          conv z⁺,           dense ε
//   epsilon-gamma-box     first z^B (box),     conv γ (γ = 0.25), dense ε
//   epsilon-plus          first z⁺,            conv z⁺,           dense ε
//   epsilon-alpha2-beta1  first αβ (α = 2),    conv αβ (α = 2),   dense ε
// The box of epsilon-gamma-box is the batch's own [min, max] (lrp.hpp).
// Equations, tests and caveats: docs/methods.md ("## LRP").
#pragma once

#include <map>
#include <string>
#include <vector>

#include "gcam/methods/lrp.hpp"

namespace gcam {

// A rule with its parameters for each layer position. ZBox is accepted for
// `first` only.
struct LrpComposite {
  LrpOptions first;       // the conv/dense layer that reads the model input
  LrpOptions conv;        // every other conv
  LrpOptions dense;       // every other dense (Linear) layer
  double epsilon = 1e-6;  // the other ops: pooling, residual sums, batch norms not after a conv
};

enum class LrpPosition { First, Conv, Dense };

// The position of Conv2d or Linear record `r` of `tape` whose forward pass
// started at input leaf `input` (rules above). Throws std::invalid_argument
// for a record of another kind.
LrpPosition lrp_position(const Tape& tape, const Record& r, Var input);

// The replacement backward rules (lrp.hpp) with conv/dense rules chosen by
// lrp_position. Throws std::invalid_argument if `conv` or `dense` asks for ZBox.
std::map<OpKind, BackwardRule> lrp_rules(const LrpComposite& composite, const Tape& recorded, Var input);

// Relevance on the input for each image, (N, C, H, W), with the composite's
// rules. Throws std::invalid_argument for a batch that is not (N, C, H, W),
// a class count other than N, or ZBox outside `first`.
Tensor lrp_relevance(Model& model, const Tensor& images, const std::vector<int>& classes, const LrpComposite& composite,
                     const MethodOptions& options = {});

// The preset called `name` (the table above). Throws UnknownName listing
// lrp_composite_names().
LrpComposite lrp_composite(const std::string& name);
// The preset names, in the order of the table above.
std::vector<std::string> lrp_composite_names();

}  // namespace gcam
