#include "gcam/train/train.hpp"

#include <chrono>
#include <cmath>
#include <exception>
#include <numeric>

#include "gcam/core/error.hpp"
#include "gcam/core/part_sums.hpp"
#include "gcam/core/rng.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/nn/predict.hpp"
#include "gcam/ops/ops.hpp"

namespace gcam {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int count_correct(const Tensor& logits, const std::vector<int>& labels, std::vector<int>* confusion = nullptr) {
  const int K = logits.dim(1);
  const std::vector<int> predicted_class = predicted_classes(logits);
  int correct = 0;
  for (int n = 0; n < logits.dim(0); ++n) {
    const int predicted = predicted_class[static_cast<std::size_t>(n)];
    const int truth = labels[static_cast<std::size_t>(n)];
    correct += predicted == truth;
    if (confusion) (*confusion)[static_cast<std::size_t>(truth * K + predicted)] += 1;
  }
  return correct;
}

// The sample indices of batch b of an epoch's order.
std::vector<std::size_t> batch_indices(const std::vector<std::size_t>& order, std::size_t b, std::size_t batch) {
  const std::size_t begin = b * batch, end = std::min(order.size(), begin + batch);
  return {order.begin() + static_cast<std::ptrdiff_t>(begin), order.begin() + static_cast<std::ptrdiff_t>(end)};
}

void shuffle(std::vector<std::size_t>& order, Rng& rng) {
  for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher–Yates
}

}  // namespace

namespace {

// Loss, correct count and parameter gradients of one part of a batch.
struct PartResult {
  double loss = 0;
  int correct = 0;
  std::vector<Tensor> grads;  // in the order of Model::parameters()
};

// One part of a batch: its loss is seeded with the part's share of the batch
// (`share` = its images / the batch's), so that its gradients are already
// its part of the batch's mean loss: the parts' gradients simply add up, and
// batch norm's sums of (B4), taken across parts, are those of the whole batch.
PartResult forward_backward(Model& model, const Tensor& images, const std::vector<int>& labels, Kernels kernels,
                            ThreadPool* pool, Workspace* workspace, PartSums* sums, int part, Scalar share) {
  Tape tape(kernels, pool, workspace);
  tape.share_batch(sums, part);
  tape.keep_for_weight_gradients(true);
  Fusions fusions;
  fusions.fuse_relu = true;  // the same bits, one pass fewer per convolution and ReLU
  const ForwardPass pass = model.forward(tape, images, fusions);
  const Var loss = softmax_cross_entropy(tape, pass.logits, labels);
  PartResult r;
  r.loss = tape.value(loss)[0];
  r.correct = count_correct(tape.value(pass.logits), labels);
  // A non-finite loss is reported by train_step. With shared batch statistics
  // every part must still walk back, or the others would wait for its sums.
  if (!std::isfinite(r.loss) && !sums) return r;
  BackwardOptions options;
  options.wrt = pass.parameter_vars;  // not the images: conv1 needs no input gradient
  options.keep_intermediate = false;  // free each activation's gradient once it is passed on
  const Gradients grads = tape.backward(loss, Tensor(tape.value(loss).shape(), share), options);
  for (Var v : pass.parameter_vars) {
    const Tensor& g = grads.of(v);
    r.grads.push_back(workspace ? workspace->take(g.shape()) : Tensor(g.shape()));
    std::copy(g.values().begin(), g.values().end(), r.grads.back().values().begin());
  }
  return r;
}

}  // namespace

double train_step(Model& model, Optimizer& optimizer, const Tensor& images, const std::vector<int>& labels,
                  Kernels kernels, ThreadPool* pool, int* correct, std::vector<Workspace>* workspaces) {
  // Data parallelism: with T threads the batch is cut into T contiguous parts,
  // each run on its own tape and thread (the kernels then stay on that thread).
  // The batch's mean loss and its gradient are the parts' values weighted by
  // their sizes, added in part order: the same thread count always gives the
  // same bits. Only batch norm looks across images: its parts meet in a
  // PartSums to use the whole batch's statistics (part_sums.hpp).
  const int N = images.rank() ? images.dim(0) : 0;
  const int parts = kernels == Kernels::Fast ? batch_parts(pool, N) : 1;
  if (workspaces && workspaces->size() < std::size_t(parts)) workspaces->resize(std::size_t(parts));
  auto workspace = [&](int t) { return workspaces ? &(*workspaces)[std::size_t(t)] : nullptr; };
  std::vector<double> weight(static_cast<std::size_t>(parts));  // each part's share of the batch
  for (int t = 0; t < parts; ++t)
    weight[std::size_t(t)] = double(int(std::int64_t(N) * (t + 1) / parts) - int(std::int64_t(N) * t / parts)) / N;
  const TrainingMode training(model);
  std::vector<PartResult> results(static_cast<std::size_t>(parts));
  if (parts == 1) {
    results[0] = forward_backward(model, images, labels, kernels, pool, workspace(0), nullptr, 0, 1);
  } else {
    PartSums sums(parts);
    run_parts(pool, N, parts, [&](int t, int first, int last) {
      try {
        const std::vector<int> part_labels(labels.begin() + first, labels.begin() + last);
        Shape shape = images.shape();
        shape[0] = last - first;
        Tensor part = workspace(t) ? workspace(t)->take(shape) : Tensor();
        slice_batch(images, first, last, part);
        results[std::size_t(t)] = forward_backward(model, part, part_labels, kernels, nullptr, workspace(t), &sums, t,
                                                   Scalar(weight[std::size_t(t)]));
        if (workspace(t)) workspace(t)->give(std::move(part));
      } catch (...) {
        sums.abandon();  // the other parts must not wait for this one's sums
        throw;
      }
    });
  }
  double loss = 0;
  int right = 0;
  for (int t = 0; t < parts; ++t) {
    loss += weight[std::size_t(t)] * results[std::size_t(t)].loss;
    right += results[std::size_t(t)].correct;
  }
  if (!std::isfinite(loss)) throw NumericError("loss is " + std::to_string(loss));
  if (correct) *correct = right;
  std::vector<Tensor>& total = results[0].grads;
  if (parts > 1)
    for (std::size_t k = 0; k < total.size(); ++k)
      for (std::size_t e = 0; e < total[k].size(); ++e) {
        Scalar sum = 0;
        for (int t = 0; t < parts; ++t) sum += results[std::size_t(t)].grads[k][e];  // each already weighted
        total[k][e] = sum;
      }
  std::vector<const Tensor*> gradient_list;
  for (const Tensor& g : total) gradient_list.push_back(&g);
  optimizer.step(model.parameters(), gradient_list);
  for (int t = 0; t < parts && workspaces; ++t)
    for (Tensor& g : results[std::size_t(t)].grads) workspace(t)->give(std::move(g));
  return loss;
}

std::vector<EpochReport> train(Model& model, const Dataset& train_set, const Dataset* test_set,
                               const TrainOptions& options, const TrainCallbacks& callbacks) {
  if (options.epochs < 1 || options.batch < 1) throw std::invalid_argument("train: epochs and batch must be >= 1");
  const std::size_t samples = options.limit ? std::min(options.limit, train_set.size()) : train_set.size();
  if (samples == 0) throw std::invalid_argument("train: the training set is empty");
  const std::size_t batch = static_cast<std::size_t>(options.batch);
  const std::size_t batches = (samples + batch - 1) / batch;
  Optimizer optimizer(options.optimizer);
  Rng rng(options.seed);
  std::vector<Workspace> workspaces;  // buffers reused from batch to batch
  Tensor images;
  std::vector<std::size_t> order(samples);
  std::vector<EpochReport> reports;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);
    const auto start = Clock::now();
    double loss_sum = 0;
    std::size_t seen = 0, correct_sum = 0;
    for (std::size_t b = 0; b < batches; ++b) {
      const std::vector<std::size_t> idx = batch_indices(order, b, batch);
      int correct = 0;
      double loss;
      if (options.cosine_schedule)
        optimizer.set_learning_rate(cosine_learning_rate(options.optimizer.lr, long((epoch - 1) * batches + b),
                                                         long(options.epochs * batches)));
      try {
        train_set.images(idx, images);
        loss = train_step(model, optimizer, images, train_set.labels_of(idx), options.kernels, options.pool, &correct,
                          &workspaces);
      } catch (const NumericError& e) {
        throw NumericError("training stopped at epoch " + std::to_string(epoch) + ", step " + std::to_string(b + 1) +
                           " of " + std::to_string(batches) + ": " + e.what() +
                           ". Try a smaller learning rate (--lr).");
      }
      loss_sum += loss * double(idx.size());
      correct_sum += static_cast<std::size_t>(correct);
      seen += idx.size();
      if (callbacks.on_batch) {
        const double elapsed = seconds_since(start);
        const double rate = double(seen) / std::max(elapsed, 1e-9);
        callbacks.on_batch({epoch, options.epochs, int(b + 1), int(batches), loss_sum / double(seen),
                            double(correct_sum) / double(seen), rate, double(samples - seen) / rate});
      }
    }
    workspaces.clear();  // evaluation needs other buffers: give these back rather than hold both
    EpochReport report;
    report.epoch = epoch;
    report.train_loss = loss_sum / double(seen);
    report.train_accuracy = double(correct_sum) / double(seen);
    report.seconds = seconds_since(start);
    report.images_per_second = double(seen) / std::max(report.seconds, 1e-9);
    // Same batch size as training: a larger one would only raise peak memory.
    if (test_set) report.test = evaluate(model, *test_set, options.batch, options.kernels, options.pool);
    reports.push_back(report);
    if (callbacks.on_epoch) callbacks.on_epoch(report);
  }
  return reports;
}

Evaluation evaluate(Model& model, const Dataset& data, int batch, Kernels kernels, ThreadPool* pool) {
  Evaluation ev;
  ev.classes = model.classes();
  ev.confusion.assign(static_cast<std::size_t>(ev.classes * ev.classes), 0);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  std::size_t correct = 0;
  double loss_sum = 0;
  const std::size_t step = static_cast<std::size_t>(std::max(batch, 1));
  std::vector<Workspace> workspaces;  // buffers reused from batch to batch
  for (std::size_t b = 0; b * step < order.size(); ++b) {
    const std::vector<std::size_t> idx = batch_indices(order, b, step);
    const std::vector<int> labels = data.labels_of(idx);
    Tape tape;  // only for the loss, on the logits as a leaf
    const Var logits = tape.input(predict(model, data.images(idx), kernels, pool, &workspaces));
    loss_sum += double(tape.value(softmax_cross_entropy(tape, logits, labels))[0]) * double(idx.size());
    correct += static_cast<std::size_t>(count_correct(tape.value(logits), labels, &ev.confusion));
  }
  if (!order.empty()) {
    ev.accuracy = double(correct) / double(order.size());
    ev.loss = loss_sum / double(order.size());
  }
  return ev;
}

}  // namespace gcam
