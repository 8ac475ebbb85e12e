// gradcam train / eval / models
#include <algorithm>
#include <cstdio>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/train/train.hpp"
#include "outputs.hpp"
#include "progress.hpp"

namespace gcam::cli {

namespace {

void print_confusion(const Evaluation& ev, const std::vector<std::string>& names) {
  std::printf("confusion matrix (rows: true class, columns: predicted)\n");
  for (int t = 0; t < ev.classes; ++t) {
    std::printf("  %-12.12s", names[std::size_t(t)].c_str());
    for (int p = 0; p < ev.classes; ++p) std::printf(" %5d", ev.confusion[std::size_t(t * ev.classes + p)]);
    std::printf("\n");
  }
}

Args train_arguments() {
  Args args("train",
            "Train a model and save it as a checkpoint.\n"
            "example: gradcam train --model fashion-cnn --data fashion --epochs 5 --out build/fashion.ckpt");
  std::string models;
  for (const auto& name : model_names()) models += (models.empty() ? "" : ", ") + name;
  args.option("model", "name", models, "shapes-cnn")
      .option("data", "name", std::string("data set: ") + dataset_names(), "shapes")
      .option("epochs", "n", "passes over the training set", "5")
      .option("batch", "n", "mini-batch size", "64")
      .option("optimizer", "name", "sgd or adam", "sgd")
      .option("lr", "x", "learning rate", "0.01")
      .option("momentum", "x", "SGD momentum", "0.9")
      .option("weight-decay", "x", "L2 weight decay", "0")
      .option("schedule", "name", "learning rate: constant, or cosine (annealed to 0 over all steps)", "constant")
      .option("seed", "n", "seed for the initial weights and the shuffling", "1")
      .option("threads", "n", "worker threads (results are reproducible for a fixed count)", default_threads())
      .option("limit", "n", "train on the first n samples only (0 = all)", "0")
      .option("out", "file", "checkpoint to write (atomically)");
  return args;
}

// Everything but the thread pool, which the caller owns.
TrainOptions read_train_options(const Args& args) {
  TrainOptions options;
  options.epochs = int(args.integer("epochs", 1, 1000));
  options.batch = int(args.integer("batch", 1, 65536));
  options.seed = std::uint64_t(args.integer("seed", 0, (1LL << 62)));
  options.limit = std::size_t(args.integer("limit", 0, 1LL << 40));
  options.optimizer.kind = args.text("optimizer");
  options.optimizer.lr = args.number("lr", 0, 10);
  options.optimizer.momentum = args.number("momentum", 0, 1);
  options.optimizer.weight_decay = args.number("weight-decay", 0, 1);
  const std::string schedule = args.text("schedule");
  if (schedule != "constant" && schedule != "cosine")
    throw UsageError("--schedule: " + unknown_name_message("schedule", schedule, {"constant", "cosine"}));
  options.cosine_schedule = schedule == "cosine";
  return options;
}

void check_architecture(const std::string& architecture) {
  const std::vector<std::string> models = model_names();
  if (std::find(models.begin(), models.end(), architecture) != models.end()) return;
  throw UnknownName(unknown_name_message("model", architecture, models));
}

void write_trained_checkpoint(const Args& args, const std::string& out, Model& model, const TrainOptions& options,
                              const Dataset& train_set, const Evaluation& last) {
  CheckpointInfo info;
  info.class_names = train_set.class_names;
  info.metadata = {{"data", args.text("data")},
                   {"epochs", std::to_string(options.epochs)},
                   {"seed", std::to_string(options.seed)},
                   {"optimizer", options.optimizer.kind},
                   {"lr", args.text("lr")},
                   {"schedule", args.text("schedule")},
                   {"test_accuracy", std::to_string(last.accuracy)}};
  OutputWrite writing;
  save_checkpoint(out, model, info);
}

}  // namespace

int run_train(const std::vector<std::string>& argv) {
  Args args = train_arguments();
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  // Every argument is checked before the data is loaded and training starts:
  // a typo must not cost a training run.
  const std::string out = args.text("out");
  check_output_file("out", out);
  TrainOptions options = read_train_options(args);
  const long long threads = args.integer("threads", 1, 256);
  const std::string architecture = args.text("model");
  check_architecture(architecture);
  Optimizer check_kind(options.optimizer);  // fail on a bad --optimizer before training starts
  const std::string data = args.text("data");
  const Dataset test_set = load_dataset(data, "test");  // the smaller split first: a bad --data fails fast
  const Dataset train_set = load_dataset(data, "train");
  const auto pool = make_pool(threads);
  options.pool = pool.get();
  Model model = make_model(architecture, train_set.image_shape, train_set.classes(), options.seed);
  std::printf("%s", model.summary().c_str());
  std::printf("training on %s: %zu images, testing on %zu; %d threads, %s\n", data.c_str(),
              options.limit ? std::min(options.limit, train_set.size()) : train_set.size(), test_set.size(),
              pool->threads(), scalar_name());
  const TrainingRun run = train_with_progress(model, train_set, test_set, options);
  const Evaluation& last = run.reports.back().test;
  print_confusion(last, train_set.class_names);
  write_trained_checkpoint(args, out, model, options, train_set, last);
  std::printf("test accuracy %.2f%% after %d epochs (%.1f s); checkpoint written to %s\n", 100 * last.accuracy,
              options.epochs, run.seconds, out.c_str());
  return 0;
}

int run_eval(const std::vector<std::string>& argv) {
  Args args("eval", "Evaluate a checkpoint on the test split of a data set.");
  args.option("ckpt", "file", "checkpoint written by 'gradcam train'")
      .option("data", "name", std::string("data set: ") + dataset_names(), "")
      .option("threads", "n", "worker threads", default_threads());
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  CheckpointInfo info;
  Model model = load_model(args.text("ckpt"), &info);
  const std::string data = args.given("data") ? args.text("data") : info.metadata["data"];
  if (data.empty()) throw UsageError("the checkpoint does not name its data set: give --data");
  const Dataset test_set = load_dataset(data, "test");
  const auto pool = make_pool(args.integer("threads", 1, 256));
  const Evaluation ev = evaluate(model, test_set, 256, Kernels::Fast, pool.get());
  print_confusion(ev, test_set.class_names);
  std::printf("%s on %s test (%zu images): accuracy %.2f%%, loss %.4f\n", model.architecture().c_str(), data.c_str(),
              test_set.size(), 100 * ev.accuracy, ev.loss);
  return 0;
}

std::string target_layers_help() {
  std::string text =
      "--layer takes any value with feature maps; by model (a block's inner values are\n"
      "<stage>.0.conv1 ... <stage>.0.sum):\n";
  for (const auto& name : model_names()) {
    std::string line = "  " + name + ":";
    const std::string names = join_names(make_model(name, {1, 32, 32}, 2, 0).feature_map_names());
    std::size_t start = 0;
    while (start < names.size()) {  // wrapped at about 100 columns, after a comma
      std::size_t end = names.find(", ", start);
      end = end == std::string::npos ? names.size() : end + 1;
      const std::string word = names.substr(start, end - start);
      if (line.size() + 1 + word.size() > 100) text += line + "\n", line = "   ";
      line += " " + word;
      start = end + 1;
    }
    text += line + "\n";
  }
  return text;
}

int run_models(const std::vector<std::string>& argv) {
  Args args("models", "List the built-in architectures with their layers.");
  if (!args.parse(argv)) return std::printf("%s", args.help().c_str()), 0;
  for (const auto& name : model_names()) {
    const bool fashion = name == "fashion-cnn" || name == "resnet-mini";  // shown as for Fashion-MNIST
    const Shape input = fashion ? Shape{1, 28, 28} : Shape{1, 32, 32};
    std::printf("%s\n", make_model(name, input, fashion ? 10 : 4, 0).summary().c_str());
  }
  return 0;
}

}  // namespace gcam::cli
