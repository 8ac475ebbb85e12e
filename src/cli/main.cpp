// gradcam — the command-line front end: train, eval, explain, demo, models.
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "args.hpp"
#include "commands.hpp"
#include "gcam/core/error.hpp"
#include "gcam/core/names.hpp"
#include "outputs.hpp"

namespace {

const char* kUsage =
    "usage: gradcam <command> [options]\n\n"
    "commands:\n"
    "  demo      train shapes-cnn on synthetic shapes and write Grad-CAM overlays\n"
    "  train     train a model and save a checkpoint\n"
    "  eval      accuracy and confusion matrix of a checkpoint\n"
    "  explain   Grad-CAM heatmap overlay for one image\n"
    "  models    list the built-in architectures\n"
    "  samples   write synthetic images and their masks as PNGs\n"
    "  compare   score explanation methods and baselines with faithfulness metrics\n\n"
    "'gradcam <command> --help' describes each command's options.\n";

}  // namespace

// Exit codes: 0 success; 2 a mistake on the command line (unknown option or
// name, missing or bad value: the message says which and lists the valid
// choices); 1 any other failure (unreadable or corrupt file, NaN, ...).
int main(int argc, char** argv) {
  gcam::cli::install_interrupt_handlers();
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") || !std::strcmp(argv[1], "help")) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const std::vector<std::string> rest(argv + 2, argv + argc);
  using namespace gcam::cli;
  try {
    if (command == "train") return run_train(rest);
    if (command == "eval") return run_eval(rest);
    if (command == "explain") return run_explain(rest);
    if (command == "demo") return run_demo(rest);
    if (command == "models") return run_models(rest);
    if (command == "samples") return run_samples(rest);
    if (command == "compare") return run_compare(rest);
    const std::string suggestion =
        gcam::closest_name(command, {"train", "eval", "explain", "demo", "models", "samples", "compare"});
    std::fprintf(stderr, "gradcam: unknown command '%s'%s\n\n%s", command.c_str(),
                 suggestion.empty() ? "" : ("; did you mean '" + suggestion + "'?").c_str(), kUsage);
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "gradcam %s: error: %s\nrun 'gradcam %s --help' for the options\n", command.c_str(), e.what(),
                 command.c_str());
    return 2;
  } catch (const gcam::UnknownName& e) {  // a name given on the command line: a usage error too
    std::fprintf(stderr, "gradcam %s: error: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "gradcam %s: error: out of memory\n", command.c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "gradcam %s: error: %s\n", command.c_str(), e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "gradcam %s: error: unexpected failure\n", command.c_str());
    return 1;
  }
}
