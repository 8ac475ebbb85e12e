// progress.hpp — training progress on the terminal.
#pragma once

#include <cstdio>

#include "gcam/train/train.hpp"

namespace gcam::cli {

// On a terminal: a live bar per epoch, redrawn in place. Otherwise (a pipe,
// a log file, CI): one plain line per epoch.
class ConsoleProgress {
 public:
  explicit ConsoleProgress(std::FILE* out);
  TrainCallbacks callbacks();

 private:
  void batch(const BatchProgress& p);
  void epoch(const EpochReport& r);
  std::FILE* out_;
  bool terminal_;
};

}  // namespace gcam::cli
