#include "progress.hpp"

#include <unistd.h>

#include <chrono>

namespace gcam::cli {

ConsoleProgress::ConsoleProgress(std::FILE* out) : out_(out), terminal_(isatty(fileno(out)) != 0) {}

TrainCallbacks ConsoleProgress::callbacks() {
  TrainCallbacks c;
  if (terminal_) c.on_batch = [this](const BatchProgress& p) { batch(p); };
  c.on_epoch = [this](const EpochReport& r) { epoch(r); };
  return c;
}

void ConsoleProgress::batch(const BatchProgress& p) {
  // Redraw at most ~20 times per epoch plus the last batch: cheap and calm.
  const int every = p.batches / 20 + 1;
  if (p.batch % every != 0 && p.batch != p.batches) return;
  constexpr int width = 24;
  const int filled = p.batch * width / p.batches;
  std::fprintf(out_, "\repoch %d/%d [", p.epoch, p.epochs);
  for (int i = 0; i < width; ++i) std::fputc(i < filled ? '#' : '.', out_);
  std::fprintf(out_, "] %d/%d  loss %.4f  acc %5.1f%%  %6.0f img/s  %4.0fs left ", p.batch, p.batches, p.running_loss,
               100 * p.running_accuracy, p.images_per_second, p.seconds_left);
  std::fflush(out_);
}

void ConsoleProgress::epoch(const EpochReport& r) {
  if (terminal_) std::fputc('\n', out_);
  std::fprintf(out_, "epoch %d: train loss %.4f, train acc %.2f%%", r.epoch, r.train_loss, 100 * r.train_accuracy);
  if (r.test.classes) std::fprintf(out_, ", test loss %.4f, test acc %.2f%%", r.test.loss, 100 * r.test.accuracy);
  std::fprintf(out_, ", %.1fs, %.0f img/s\n", r.seconds, r.images_per_second);
  std::fflush(out_);
}

TrainingRun train_with_progress(Model& model, const Dataset& train_set, const Dataset& test_set,
                                const TrainOptions& options) {
  ConsoleProgress progress(stdout);
  const auto start = std::chrono::steady_clock::now();
  TrainingRun run;
  run.reports = train(model, train_set, &test_set, options, progress.callbacks());
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

}  // namespace gcam::cli
