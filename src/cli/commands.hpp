// commands.hpp — the gradcam subcommands. Each returns the process exit code
// and throws on errors (main() prints them).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gcam/core/thread_pool.hpp"
#include "gcam/data/dataset.hpp"

namespace gcam::cli {

int run_train(const std::vector<std::string>& argv);
int run_eval(const std::vector<std::string>& argv);
int run_explain(const std::vector<std::string>& argv);
int run_demo(const std::vector<std::string>& argv);
int run_models(const std::vector<std::string>& argv);
int run_samples(const std::vector<std::string>& argv);
int run_compare(const std::vector<std::string>& argv);

// The seed of the two-object scenes that demo explains, compare scores and
// samples draws: one set of scenes, never trained on, across the commands.
constexpr std::uint64_t kSceneSeed = 3;

// For --help: the names --layer accepts (values with feature maps), model by model.
std::string target_layers_help();

// A pool of `threads` threads (1 = no extra thread).
std::unique_ptr<ThreadPool> make_pool(long long threads);
// The default for --threads: the machine's core count.
std::string default_threads();

}  // namespace gcam::cli
