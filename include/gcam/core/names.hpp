// names.hpp — refusing an unknown name helpfully: "did you mean ...?".
//
// Every place that looks a name up (layers, classes, methods, models,
// colour maps, data sets, command-line options) builds its refusal here, so
// all of them suggest the closest valid name the same way.
#pragma once

#include <string>
#include <vector>

namespace gcam {

// Levenshtein distance: the fewest single-character insertions, deletions or
// substitutions that turn `a` into `b`. Letters compare case-insensitively.
int edit_distance(const std::string& a, const std::string& b);

// The valid name closest to `name` by edit_distance, if it is close enough to
// be a likely typo (at most a third of the longer name's length, and at least
// one edit allowed), or a valid name that `name` starts or ends; "" otherwise.
std::string closest_name(const std::string& name, const std::vector<std::string>& valid);

// "unknown <kind> '<name>'; did you mean '<closest>'? <plural> are: a, b, c".
// `plural` defaults to kind + "s". The suggestion is left out when none is close.
std::string unknown_name_message(const std::string& kind, const std::string& name,
                                 const std::vector<std::string>& valid, const std::string& plural = "");

// The names joined with ", ".
std::string join_names(const std::vector<std::string>& names, const std::string& separator = ", ");

}  // namespace gcam
