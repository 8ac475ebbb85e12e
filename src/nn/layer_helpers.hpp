// What the layer files of src/nn/ share: naming a recorded value, putting a
// parameter on the tape, and shape errors that name the layer. Private to src/nn/.
#pragma once

#include <string>
#include <vector>

#include "gcam/nn/layers.hpp"

namespace gcam {
namespace layer_helpers {

// Names the recorded value v (a layer's output) and returns it.
Var named(Tape& tape, Var v, const std::string& name);
// Puts parameter p on the tape as a leaf and appends it to `vars`.
Var put_parameter(Tape& tape, const Parameter& p, std::vector<Var>& vars);
// Throws ShapeError "<op> layer '<name>': <what>, input shape [...]".
[[noreturn]] void layer_shape_error(const Layer& layer, const std::string& what, const Shape& input);

}  // namespace layer_helpers
}  // namespace gcam
