// progress.hpp — training progress on the terminal.
#pragma once

#include <cstdio>
#include <vector>

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

// train() with a ConsoleProgress on stdout, timed: what train and demo both
// report when they are done.
struct TrainingRun {
  std::vector<EpochReport> reports;
  double seconds = 0;
};
TrainingRun train_with_progress(Model& model, const Dataset& train_set, const Dataset& test_set,
                                const TrainOptions& options);

}  // namespace gcam::cli
