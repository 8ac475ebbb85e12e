// make bench — speed and memory of the float32 build, measured, never asserted.
//
// Prints human-readable figures, then one line of JSON with the same numbers.
// Every timing is the median of several repeats after a warm-up, on the real
// Fashion-MNIST data with the fashion-cnn and resnet-mini architectures
// (batch 64, SGD with momentum), as in docs/performance.md.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gcam/core/rng.hpp"
#include "gcam/core/thread_pool.hpp"
#include "gcam/data/dataset.hpp"
#include "gcam/fast/conv2d.hpp"
#include "gcam/fast/gemm.hpp"
#include "gcam/fast/linear.hpp"
#include "gcam/fast/pool_relu.hpp"
#include "gcam/gradcam/gradcam.hpp"
#include "gcam/ops/ops.hpp"
#include "gcam/train/train.hpp"

using namespace gcam;

namespace {

using Clock = std::chrono::steady_clock;

// Median wall time in seconds of `repeats` runs of `body`, after one warm-up run.
double median_seconds(int repeats, const std::function<void()>& body) {
  body();
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto start = Clock::now();
    body();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

Tensor random_tensor(const Shape& shape, std::uint64_t seed) {
  Rng rng(seed);
  Tensor t(shape);
  for (std::size_t e = 0; e < t.size(); ++e) t[e] = Scalar(rng.uniform(-1, 1));
  return t;
}

// Clock estimate: a chain of dependent one-cycle integer ops (xor, add) runs
// at one op per cycle on any modern x86 or ARM core, so ops / second = Hz.
double estimated_clock_ghz() {
  const long iterations = 400'000'000;
  volatile std::uint64_t sink;
  const double seconds = median_seconds(3, [&] {
    std::uint64_t x = 1;
    for (long i = 0; i < iterations; ++i) {
      x ^= 0x9E3779B97F4A7C15ull;
      x += 1;
      asm volatile("" : "+r"(x));  // keep the chain: the compiler may not fold it
    }
    sink = x;
  });
  (void)sink;
  return 2.0 * double(iterations) / seconds / 1e9;
}

// FP32 lanes per vector register and FMA pipes, from the compile target.
struct VectorUnit {
  int lanes, fma_units;
  const char* name;
};
VectorUnit vector_unit() {
#if defined(__AVX512F__)
  return {16, 2, "AVX-512, 2 FMA pipes"};
#elif defined(__AVX2__) && defined(__FMA__)
  return {8, 2, "AVX2+FMA, 2 FMA pipes"};
#elif defined(__ARM_NEON)
  return {4, 2, "NEON, 2 FMA pipes"};
#else
  return {4, 1, "SSE, no FMA"};
#endif
}

struct Batches {
  std::vector<Tensor> images;
  std::vector<std::vector<int>> labels;
};

Batches first_batches(const Dataset& data, int count, int batch) {
  Batches b;
  for (int k = 0; k < count; ++k) {
    std::vector<std::size_t> idx;
    for (int i = 0; i < batch; ++i) idx.push_back(std::size_t(k * batch + i) % data.size());
    b.images.push_back(data.images(idx));
    b.labels.push_back(data.labels_of(idx));
  }
  return b;
}

// Training throughput in images/s: steps over pre-converted batches.
double training_rate(const std::string& architecture, const Dataset& data, ThreadPool* pool, int kSteps) {
  constexpr int kBatch = 64;
  const Batches b = first_batches(data, kSteps, kBatch);
  Model model = make_model(architecture, data.image_shape, data.classes(), 1);
  Optimizer sgd(OptimizerOptions{"sgd", 0.01, 0.9});
  std::vector<Workspace> workspaces;  // as train() does: buffers reused from step to step
  const double seconds = median_seconds(5, [&] {
    for (int s = 0; s < kSteps; ++s)
      train_step(model, sgd, b.images[s], b.labels[s], Kernels::Fast, pool, nullptr, &workspaces);
  });
  return kSteps * kBatch / seconds;
}

double inference_rate(const std::string& architecture, const Dataset& data, ThreadPool* pool, int kSteps) {
  constexpr int kBatch = 64;
  const Batches b = first_batches(data, kSteps, kBatch);
  Model model = make_model(architecture, data.image_shape, data.classes(), 1);
  std::vector<Workspace> workspaces;  // as evaluate() does: buffers reused from batch to batch
  const double seconds = median_seconds(5, [&] {
    for (int s = 0; s < kSteps; ++s) predict(model, b.images[s], Kernels::Fast, pool, &workspaces);
  });
  return kSteps * kBatch / seconds;
}

// Grad-CAM at `layer`, predicted class, including the upsampling: ms per image.
double gradcam_ms_per_image(Model& model, const std::string& layer, const Dataset& data, int batch, ThreadPool* pool) {
  const int calls = batch == 1 ? 400 : 20;
  const Batches b = first_batches(data, calls, batch);
  GradCamOptions options;
  options.layer = layer;
  options.pool = pool;
  std::vector<Workspace> workspaces;  // buffers reused from call to call, one per part
  options.workspaces = &workspaces;
  const double seconds = median_seconds(5, [&] {
    for (int c = 0; c < calls; ++c) grad_cam(model, b.images[std::size_t(c)], options);
  });
  return 1e3 * seconds / (calls * batch);
}

struct KernelRate {
  double conv_forward, conv_backward, dense_forward, dense_backward, gemm_square;
};

// GFLOP/s of the fast kernels on fashion-cnn's conv2 and fc1 at batch 64,
// and of the GEMM alone on 1024³ (one thread).
KernelRate kernel_rates(ThreadPool* pool) {
  KernelRate r{};
  const Tensor x = random_tensor({64, 16, 14, 14}, 1), w = random_tensor({32, 16, 3, 3}, 2), b = random_tensor({32}, 3);
  const double conv_flops = 2.0 * 64 * 32 * 14 * 14 * 16 * 9;
  Tensor y;  // reused from call to call, as a training step's workspace does
  r.conv_forward = conv_flops / median_seconds(20, [&] { fast::conv2d_forward(x, w, b, 1, 1, pool, y); }) / 1e9;
  const Tensor dy = random_tensor({64, 32, 14, 14}, 4);
  Tensor dx(x.shape()), dw(w.shape()), db(b.shape());
  r.conv_backward =
      2 * conv_flops / median_seconds(20, [&] { fast::conv2d_backward(x, w, dy, 1, 1, dx, dw, db, pool); }) / 1e9;
  const Tensor fx = random_tensor({64, 1568}, 5), fw = random_tensor({128, 1568}, 6), fb = random_tensor({128}, 7);
  const double dense_flops = 2.0 * 64 * 1568 * 128;
  Tensor fy;
  r.dense_forward = dense_flops / median_seconds(50, [&] { fast::linear_forward(fx, fw, fb, pool, fy); }) / 1e9;
  const Tensor fdy = random_tensor({64, 128}, 8);
  Tensor fdx(fx.shape()), fdw(fw.shape()), fdb(fb.shape());
  r.dense_backward =
      2 * dense_flops / median_seconds(50, [&] { fast::linear_backward(fx, fw, fdy, fdx, fdw, fdb, pool); }) / 1e9;
  const int n = 1024;
  const Tensor A = random_tensor({n, n}, 9), B = random_tensor({n, n}, 10);
  Tensor C({n, n});
  r.gemm_square =
      2.0 * n * n * n /
      median_seconds(
          5, [&] { gemm(Trans::No, Trans::No, n, n, n, A.data(), n, B.data(), n, C.data(), n, Update::Overwrite); }) /
      1e9;
  return r;
}

// One of resnet-mini's convolutions, named as torchvision names it (the
// names of tests/pytorch/bench_torch.py's resnet_conv_us).
struct ConvLayer {
  const char* name;
  int in, size, out, kernel, stride, padding;
  bool input_gradient;  // conv1's input is the image: training asks for no gradient of it
};
const ConvLayer kResnetConvs[] = {
    {"conv1", 1, 28, 16, 3, 1, 1, false},
    {"layer1.0.conv1", 16, 28, 16, 3, 1, 1, true},
    {"layer1.0.conv2", 16, 28, 16, 3, 1, 1, true},
    {"layer2.0.conv1", 16, 28, 32, 3, 2, 1, true},
    {"layer2.0.conv2", 32, 14, 32, 3, 1, 1, true},
    {"layer2.0.downsample.0", 16, 28, 32, 1, 2, 0, true},
    {"layer3.0.conv1", 32, 14, 64, 3, 2, 1, true},
    {"layer3.0.conv2", 64, 7, 64, 3, 1, 1, true},
    {"layer3.0.downsample.0", 32, 14, 64, 1, 2, 0, true},
};

struct ConvTimes {
  double forward, weight_gradient, input_gradient;  // µs per image; input_gradient < 0: not asked
};

// µs per image of one convolution at batch 64 on one thread, as a training
// step runs it: the forward keeping its padded input, then the weight
// gradient alone and the input gradient alone from that padded input.
ConvTimes conv_layer_times(const ConvLayer& c, ThreadPool* pool) {
  constexpr int kBatch = 64;
  const Tensor x = random_tensor({kBatch, c.in, c.size, c.size}, 1);
  const Tensor w = random_tensor({c.out, c.in, c.kernel, c.kernel}, 2), b({c.out});
  Tensor y, padded;
  const auto per_image = [](const std::function<void()>& body) { return 1e6 * median_seconds(9, body) / kBatch; };
  ConvTimes t{};
  t.forward = per_image([&] { fast::conv2d_forward(x, w, b, c.stride, c.padding, pool, y, &padded); });
  const Tensor dy = random_tensor(y.shape(), 3);
  Tensor dx(x.shape()), dw(w.shape()), db(b.shape());
  const fast::Targets weight_only{false, true, false}, input_only{true, false, false};
  t.weight_gradient =
      per_image([&] { fast::conv2d_backward(x, w, dy, c.stride, c.padding, dx, dw, db, pool, weight_only, &padded); });
  t.input_gradient = c.input_gradient ? per_image([&] {
    fast::conv2d_backward(x, w, dy, c.stride, c.padding, dx, dw, db, pool, input_only, &padded);
  })
                                      : -1;
  return t;
}

// Every resnet-mini convolution's times, printed, as a JSON object of
// name: {forward, weight_gradient, input_gradient (null for conv1)}.
std::string resnet_conv_json(ThreadPool* pool) {
  std::printf("\nresnet-mini's convolutions, batch 64, 1 thread (us per image; conv1 needs no dX)\n");
  std::printf("  %-22s %8s %8s %8s\n", "", "forward", "dW", "dX");
  std::string json = "{";
  for (const ConvLayer& c : kResnetConvs) {
    const ConvTimes t = conv_layer_times(c, pool);
    std::printf("  %-22s %8.1f %8.1f %8.1f\n", c.name, t.forward, t.weight_gradient, std::max(t.input_gradient, 0.0));
    char entry[200], input_gradient[32] = "null";
    if (t.input_gradient >= 0) std::snprintf(input_gradient, sizeof input_gradient, "%.2f", t.input_gradient);
    std::snprintf(entry, sizeof entry,
                  "%s\"%s\": {\"forward\": %.2f, \"weight_gradient\": %.2f, \"input_gradient\": %s}",
                  json.size() > 1 ? ", " : "", c.name, t.forward, t.weight_gradient, input_gradient);
    json += entry;
  }
  return json + "}";
}

// Peak resident memory (MB) of `gradcam train` on Fashion-MNIST, 1 epoch, in
// a child process so that nothing of this benchmark is counted.
double training_peak_mb(const std::string& cli) {
  std::fflush(stdout);  // or the child would print our buffered output again
  const pid_t child = fork();
  if (child == 0) {
    if (!freopen("/dev/null", "w", stdout)) _exit(127);
    execl(cli.c_str(), cli.c_str(), "train", "--model", "fashion-cnn", "--data", "fashion", "--epochs", "1",
          "--threads", "2", "--out", "/tmp/gcam-bench.ckpt", static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  if (child < 0 || wait4(child, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  unlink("/tmp/gcam-bench.ckpt");
  return double(usage.ru_maxrss) / 1024.0;
}

// Training, inference and Grad-CAM figures of one architecture.
struct ModelFigures {
  double train1, train2, infer1, infer2, cam1, cam64;
};

ModelFigures model_figures(const std::string& architecture, const std::string& layer, const Dataset& data,
                           ThreadPool& one, ThreadPool& two, int steps) {
  ModelFigures f{};
  f.train1 = training_rate(architecture, data, &one, steps);
  f.train2 = training_rate(architecture, data, &two, steps);
  f.infer1 = inference_rate(architecture, data, &one, steps);
  f.infer2 = inference_rate(architecture, data, &two, steps);
  Model model = make_model(architecture, data.image_shape, data.classes(), 1);
  f.cam1 = gradcam_ms_per_image(model, layer, data, 1, &two);
  f.cam64 = gradcam_ms_per_image(model, layer, data, 64, &two);
  std::printf("%s\n", architecture.c_str());
  std::printf("  training      %8.0f img/s (1 thread)  %8.0f img/s (2 threads)  scaling %.2fx\n", f.train1, f.train2,
              f.train2 / f.train1);
  std::printf("  inference     %8.0f img/s (1 thread)  %8.0f img/s (2 threads)\n", f.infer1, f.infer2);
  std::printf("  Grad-CAM      %8.3f ms/image at batch 1,  %.4f ms/image at batch 64 (%s, 2 threads)\n", f.cam1,
              f.cam64, layer.c_str());
  return f;
}

const char* const kUsage =
    "usage: bench [GRADCAM]\n"
    "Times training, inference and Grad-CAM of fashion-cnn and resnet-mini and the kernels, on one\n"
    "and two threads, and the peak memory of `GRADCAM train --data fashion` (default GRADCAM:\n"
    "build/float/gradcam). Prints the figures, then one line of JSON. Needs the Fashion-MNIST data\n"
    "(make fashion-data). `make bench` builds and runs it; `make bench-compare` runs it beside PyTorch.\n";

// The whole benchmark, for the command-line program at `cli`.
int run_benchmark(const std::string& cli) {
  std::printf("gradcam benchmark (%s build, Fashion-MNIST, batch 64)\n\n", scalar_name());
  // First, while this process is still small: a child's peak includes what it
  // inherited from us before exec.
  const double peak_mb = training_peak_mb(cli);
  if (peak_mb < 0) {
    std::fprintf(stderr, "bench: `%s train --data fashion` did not run to the end, so its peak memory is unknown\n",
                 cli.c_str());
    return 1;
  }
  const Dataset train_set = load_fashion_mnist("train");
  ThreadPool one(1), two(2);

  const ModelFigures plain = model_figures("fashion-cnn", "relu2", train_set, one, two, 100);
  const ModelFigures resnet = model_figures("resnet-mini", "layer3", train_set, one, two, 20);

  const KernelRate k1 = kernel_rates(&one);
  const VectorUnit unit = vector_unit();
  const double ghz = estimated_clock_ghz();
  const double peak = unit.lanes * 2.0 * unit.fma_units * ghz;  // FP32 GFLOP/s of one core
  std::printf(
      "\nkernels, 1 thread (GFLOP/s; one core's FP32 peak = %d lanes x 2 flops x %d FMA pipes x %.2f GHz "
      "= %.0f GFLOP/s; %s; clock estimated from a dependent-add chain)\n",
      unit.lanes, unit.fma_units, ghz, peak, unit.name);
  std::printf("  conv2 forward  %6.1f  (%4.1f%% of peak)\n", k1.conv_forward, 100 * k1.conv_forward / peak);
  std::printf("  conv2 backward %6.1f  (%4.1f%%)\n", k1.conv_backward, 100 * k1.conv_backward / peak);
  std::printf("  fc1 forward    %6.1f  (%4.1f%%)\n", k1.dense_forward, 100 * k1.dense_forward / peak);
  std::printf("  fc1 backward   %6.1f  (%4.1f%%)\n", k1.dense_backward, 100 * k1.dense_backward / peak);
  std::printf("  GEMM 1024^3    %6.1f  (%4.1f%%)\n", k1.gemm_square, 100 * k1.gemm_square / peak);
  const GemmBlocking blocks = gemm_blocking();
  std::printf("  GEMM blocks: micro-tile %dx%d, KC %d, MC %d, NC %d (from this machine's cache sizes)\n", blocks.mr,
              blocks.nr, blocks.kc, blocks.mc, blocks.nc);

  const std::string resnet_convs = resnet_conv_json(&one);

  std::printf("\npeak resident memory of `%s train --data fashion` (1 epoch, 2 threads): %.1f MB\n", cli.c_str(),
              peak_mb);

  std::printf(
      "{\"train_img_per_s_1t\": %.0f, \"train_img_per_s_2t\": %.0f, \"scaling\": %.2f, \"infer_img_per_s_1t\": %.0f, "
      "\"infer_img_per_s_2t\": %.0f, \"gradcam_ms_batch1\": %.4f, \"gradcam_ms_per_image_batch64\": %.4f, "
      "\"conv_fwd_gflops\": %.1f, \"conv_bwd_gflops\": %.1f, \"dense_fwd_gflops\": %.1f, \"dense_bwd_gflops\": %.1f, "
      "\"gemm_gflops\": %.1f, \"core_peak_gflops\": %.1f, \"clock_ghz\": %.2f, \"train_peak_rss_mb\": %.1f, "
      "\"resnet_train_img_per_s_1t\": %.0f, \"resnet_train_img_per_s_2t\": %.0f, \"resnet_infer_img_per_s_2t\": %.0f, "
      "\"resnet_gradcam_ms_batch1\": %.4f, \"resnet_gradcam_ms_per_image_batch64\": %.4f, \"resnet_conv_us\": %s}\n",
      plain.train1, plain.train2, plain.train2 / plain.train1, plain.infer1, plain.infer2, plain.cam1, plain.cam64,
      k1.conv_forward, k1.conv_backward, k1.dense_forward, k1.dense_backward, k1.gemm_square, peak, ghz, peak_mb,
      resnet.train1, resnet.train2, resnet.infer2, resnet.cam1, resnet.cam64, resnet_convs.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string first = argc > 1 ? argv[1] : "";
  if (first == "--help" || first == "-h") return std::printf("%s", kUsage), 0;
  if (argc > 2 || (!first.empty() && first[0] == '-')) return std::fprintf(stderr, "%s", kUsage), 2;
  const std::string cli = argc > 1 ? first : "build/float/gradcam";
  if (access(cli.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "bench: %s is not an executable file (the default, build/float/gradcam, comes from make bench)\n",
                 cli.c_str());
    return 1;
  }
  try {
    return run_benchmark(cli);
  } catch (const std::exception& e) {  // a missing dataset, say
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
}
