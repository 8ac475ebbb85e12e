// train.hpp — mini-batch training and evaluation.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "gcam/core/workspace.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/nn/model.hpp"
#include "gcam/nn/predict.hpp"
#include "gcam/train/optim.hpp"

namespace gcam {

class ThreadPool;

struct TrainOptions {
  int epochs = 5;
  int batch = 64;
  std::uint64_t seed = 1;  // shuffling order (weights are seeded by make_model)
  OptimizerOptions optimizer;
  Kernels kernels = Kernels::Fast;
  ThreadPool* pool = nullptr;    // null: one thread
  std::size_t limit = 0;         // train on the first `limit` samples only (0 = all)
  bool cosine_schedule = false;  // false: constant learning rate; true: (O3) over all the run's steps
};

struct Evaluation {
  double loss = 0;
  double accuracy = 0;  // fraction in [0, 1]
  int classes = 0;
  std::vector<int> confusion;  // classes × classes, row = true class, column = predicted
};

// What the training loop reports while it runs.
struct BatchProgress {
  int epoch, epochs;   // 1-based
  int batch, batches;  // 1-based within the epoch
  double running_loss, running_accuracy;
  double images_per_second, seconds_left;
};

struct EpochReport {
  int epoch = 0;
  double train_loss = 0, train_accuracy = 0;
  Evaluation test;  // empty (classes == 0) when there is no test set
  double seconds = 0, images_per_second = 0;
};

struct TrainCallbacks {
  std::function<void(const BatchProgress&)> on_batch;  // may be empty
  std::function<void(const EpochReport&)> on_epoch;    // may be empty
};

// One optimization step on a batch: forward, softmax cross-entropy, backward,
// update. Returns the loss; throws NumericError if it is not finite. With a
// pool the batch is cut into one part per thread (see run_parts). Given
// `workspaces` (one is made per part), every buffer of the step comes from
// them and goes back, so from the second step on nothing big is allocated.
double train_step(Model& model, Optimizer& optimizer, const Tensor& images, const std::vector<int>& labels,
                  Kernels kernels, ThreadPool* pool, int* correct = nullptr,
                  std::vector<Workspace>* workspaces = nullptr);

// Trains for options.epochs over shuffled mini-batches (the last, smaller
// batch is kept), evaluating on `test` (if not null) after each epoch.
// Throws NumericError naming the epoch and step when the loss becomes NaN/Inf.
std::vector<EpochReport> train(Model& model, const Dataset& train_set, const Dataset* test_set,
                               const TrainOptions& options, const TrainCallbacks& callbacks = {});

// Accuracy, mean loss and confusion matrix of `model` on `data`.
Evaluation evaluate(Model& model, const Dataset& data, int batch = 256, Kernels kernels = Kernels::Fast,
                    ThreadPool* pool = nullptr);

}  // namespace gcam
