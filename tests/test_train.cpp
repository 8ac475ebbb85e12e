// Optimizers, the training loop, evaluation and reproducibility.
#include <cmath>

#include "gcam/core/error.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/io/checkpoint.hpp"
#include "gcam/train/train.hpp"
#include "helpers.hpp"

using namespace gcam;
using namespace gcam_test;

namespace {

// The first n samples of a data set, as one batch.
struct Batch {
  Tensor images;
  std::vector<int> labels;
};

Batch first_samples(const Dataset& data, std::size_t n) {
  std::vector<std::size_t> indices(n);
  for (std::size_t i = 0; i < n; ++i) indices[i] = i;
  return {data.images(indices), data.labels_of(indices)};
}

}  // namespace

TEST_CASE("(O1) one SGD step with momentum and weight decay by hand", "[train][optim]") {
  Tensor param({2}, {1, -2}), grad({2}, {0.5, 0.25}), velocity({2}, {0.1, 0});
  sgd_update(param, grad, velocity, /*lr=*/0.1, /*momentum=*/0.9, /*weight_decay=*/0.01);
  // g = 0.5 + 0.01·1 = 0.51; v = 0.09 + 0.51 = 0.6; θ = 1 − 0.06 = 0.94
  CHECK(velocity[0] == Approx(0.6));
  CHECK(param[0] == Approx(0.94));
  // g = 0.25 − 0.02 = 0.23; v = 0.23; θ = −2 − 0.023
  CHECK(param[1] == Approx(-2.023));
}

TEST_CASE("(O2) the first Adam step moves each weight by about lr against its gradient", "[train][optim]") {
  Tensor param({3}, {1, 1, 1}), grad({3}, {0.3, -2, 0}), m({3}), v({3});
  adam_update(param, grad, m, v, /*step=*/1, /*lr=*/0.01, 0.9, 0.999, 1e-8, 0);
  // After bias correction m̂ = g and v̂ = g², so the step is lr·g/|g| = ±lr.
  CHECK(param[0] == Approx(0.99));
  CHECK(param[1] == Approx(1.01));
  CHECK(param[2] == 1);
  CHECK_THROWS_WITH(Optimizer({"rmsprop"}), Catch::Contains("unknown optimizer 'rmsprop'") && Catch::Contains("sgd"));
}

TEST_CASE("training overfits a tiny batch", "[train]") {
  const Dataset data = make_shapes(8, 5);
  Model model = make_model("shapes-cnn", data.image_shape, data.classes(), 3);
  OptimizerOptions adam;
  adam.kind = "adam";
  adam.lr = 0.003;
  Optimizer optimizer(adam);
  const auto [images, labels] = first_samples(data, 8);
  const double first = train_step(model, optimizer, images, labels, Kernels::Fast, nullptr);
  double loss = first;
  int steps = 0;
  while (loss > 0.01 && steps < 200)
    loss = train_step(model, optimizer, images, labels, Kernels::Fast, nullptr), ++steps;
  INFO("loss " << first << " -> " << loss << " after " << steps << " more steps");
  CHECK(loss < 0.01);
  CHECK(steps < 200);
}

TEST_CASE("the same seed and thread count give bit-identical weights", "[train][float]") {
  const Dataset data = make_shapes(96, 6);
  ThreadPool pool(2);
  auto run = [&](std::uint64_t seed, ThreadPool* p) {
    Model model = make_model("shapes-cnn", data.image_shape, data.classes(), seed);
    TrainOptions options;
    options.epochs = 2;
    options.batch = 16;
    options.seed = seed;
    options.pool = p;
    train(model, data, nullptr, options);
    return encode_checkpoint(model, {});
  };
  const auto a = run(1, &pool);
  CHECK(a == run(1, &pool));
  CHECK(a != run(2, &pool));
  // One thread: the same bits with or without a pool. (Two threads split each
  // batch in two and add the halves' gradients: the last bits may differ.)
  ThreadPool one(1);
  CHECK(run(1, nullptr) == run(1, &one));
}

TEST_CASE("a NaN loss stops training with the epoch and step", "[train][errors]") {
  const Dataset data = make_shapes(64, 7);
  Model model = make_model("shapes-cnn", data.image_shape, data.classes(), 1);
  model.parameters().back()->value[0] = std::numeric_limits<Scalar>::quiet_NaN();  // fc.bias
  TrainOptions options;
  options.batch = 16;
  CHECK_THROWS_WITH(train(model, data, nullptr, options),
                    Catch::Contains("epoch 1, step 1 of 4") && Catch::Contains("nan") && Catch::Contains("--lr"));
}

TEST_CASE("evaluate counts a confusion matrix that matches the accuracy", "[train]") {
  const Dataset data = make_shapes(50, 8);
  Model model = make_model("shapes-cnn", data.image_shape, data.classes(), 1);
  const Evaluation ev = evaluate(model, data, 16, Kernels::Reference);
  int total = 0, diagonal = 0;
  for (int t = 0; t < 4; ++t)
    for (int p = 0; p < 4; ++p) {
      total += ev.confusion[std::size_t(t * 4 + p)];
      if (t == p) diagonal += ev.confusion[std::size_t(t * 4 + p)];
    }
  CHECK(total == 50);
  CHECK(ev.accuracy == Approx(diagonal / 50.0));
  CHECK(std::isfinite(ev.loss));
}

TEST_CASE("with workspaces, training steps after the first allocate no new buffers", "[train][float]") {
  const Dataset data = make_shapes(64, 9);
  const auto [images, labels] = first_samples(data, 32);
  ThreadPool pool(2);
  for (const char* architecture : {"shapes-cnn", "resnet-mini"})
    for (ThreadPool* p : {static_cast<ThreadPool*>(nullptr), &pool}) {
      INFO(architecture << (p ? ", 2 threads" : ", 1 thread"));
      Model model = make_model(architecture, data.image_shape, data.classes(), 1);
      Optimizer sgd(OptimizerOptions{});
      std::vector<Workspace> workspaces;
      auto allocations = [&] {
        std::size_t n = 0;
        for (const Workspace& w : workspaces) n += w.allocations();
        return n;
      };
      train_step(model, sgd, images, labels, Kernels::Fast, p, nullptr, &workspaces);
      const std::size_t after_first = allocations();
      CHECK(after_first > 0);
      auto spares = [&] {
        std::size_t n = 0;
        for (const Workspace& w : workspaces) n += w.spares();
        return n;
      };
      const std::size_t spares_after_first = spares();
      for (int step = 0; step < 3; ++step)
        train_step(model, sgd, images, labels, Kernels::Fast, p, nullptr, &workspaces);
      CHECK(allocations() == after_first);
      CHECK(spares() == spares_after_first);  // an op that gives back buffers it never took would grow them
    }
}

TEST_CASE("a workspace does not change the results", "[train][float]") {
  const Dataset data = make_shapes(32, 10);
  const auto [images, labels] = first_samples(data, 32);
  Model a = make_model("shapes-cnn", data.image_shape, data.classes(), 1);
  Model b = make_model("shapes-cnn", data.image_shape, data.classes(), 1);
  Optimizer sa(OptimizerOptions{}), sb(OptimizerOptions{});
  std::vector<Workspace> workspaces;
  for (int step = 0; step < 3; ++step) {
    train_step(a, sa, images, labels, Kernels::Fast, nullptr);
    train_step(b, sb, images, labels, Kernels::Fast, nullptr, nullptr, &workspaces);
  }
  CHECK(encode_checkpoint(a, {}) == encode_checkpoint(b, {}));
}
