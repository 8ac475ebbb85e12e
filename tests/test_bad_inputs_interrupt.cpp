// Runs of the command-line tool killed with SIGKILL, SIGINT or SIGTERM during
// training, or right at their final write, must leave the previous checkpoint
// intact (or the complete new one), and no temporary file but what SIGKILL
// cannot clean up. Float build only, like test_bad_inputs.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "byte_files.hpp"
#include "child_process.hpp"
#include "gcam/io/checkpoint.hpp"
#include "scratch_folder.hpp"

#ifdef GCAM_FLOAT32

using namespace gcam;
using namespace gcam_test;  // byte_files.hpp, ScratchFolder
namespace fs = std::filesystem;

namespace {

// Names in `folder` other than `keep` must be temporary files of `keep`
// ("<keep>.tmp.<pid>.<n>", left by a SIGKILL); returns how many there are,
// and removes them.
int remove_stale_temporaries(const ScratchFolder& folder, const std::string& keep) {
  int stale = 0;
  for (const std::string& name : folder.entries()) {
    if (name == keep) continue;
    INFO("unexpected file " << name);
    CHECK(name.rfind(keep + ".tmp.", 0) == 0);
    fs::remove(folder.file(name));
    ++stale;
  }
  return stale;
}

// A folder holding model.ckpt (an untrained shapes-cnn) and its bytes: the
// previous checkpoint that a killed run must not damage.
struct PreviousCheckpoint {
  ScratchFolder folder;
  const std::string ckpt = folder.file("model.ckpt");
  Bytes old;
  explicit PreviousCheckpoint(const std::string& tag) : folder(tag) {
    Model model = make_model("shapes-cnn", {1, 32, 32}, 4, 1);
    save_checkpoint(ckpt, model, {});
    old = file_bytes(ckpt);
  }
};

}  // namespace

TEST_CASE("a training run killed mid-way leaves the previous checkpoint intact", "[interrupt][float]") {
  const std::string cli = gcam_test::cli_path();
  const PreviousCheckpoint previous("killed_training");
  // 1000 epochs would take minutes: the signal always lands during training
  // (or while the data is generated), never after the final write.
  const std::vector<std::string> args{"train",     "--limit", "128",   "--epochs",   "1000",
                                      "--threads", "1",       "--out", previous.ckpt};
  struct Kill {
    int signal, after_ms;
  };
  for (const Kill k : {Kill{SIGKILL, 300}, Kill{SIGKILL, 700}, Kill{SIGINT, 500}, Kill{SIGTERM, 600}}) {
    INFO("signal " << k.signal << " after " << k.after_ms << " ms");
    gcam_test::Child child = gcam_test::start_child(cli, args);
    std::this_thread::sleep_for(std::chrono::milliseconds(k.after_ms));
    ::kill(child.pid, k.signal);
    const int status = child.finish();
    INFO(child.text);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == k.signal);
    CHECK(file_bytes(previous.ckpt) == previous.old);  // byte for byte the previous file
    CHECK_NOTHROW(load_model(previous.ckpt));
    // No write had started, so not even a temporary file is left.
    CHECK(previous.folder.entries() == std::vector<std::string>{"model.ckpt"});
  }
}

TEST_CASE("a run killed at its final write leaves the old or the complete new checkpoint", "[interrupt][float]") {
  const std::string cli = gcam_test::cli_path();
  const PreviousCheckpoint previous("killed_write");
  // One short epoch; its line is flushed just before the confusion matrix is
  // printed and the checkpoint written: signal right then, or a little later.
  const std::vector<std::string> args{"train",     "--limit", "64",    "--epochs",   "1",
                                      "--threads", "1",       "--out", previous.ckpt};
  int kept_old = 0, got_new = 0, stale = 0;
  struct Kill {
    int signal, delay_us;
  };
  for (const Kill k : {Kill{SIGKILL, 0}, Kill{SIGKILL, 500}, Kill{SIGINT, 0}, Kill{SIGINT, 500}}) {
    INFO("signal " << k.signal << ", " << k.delay_us << " us after the epoch's line");
    write_bytes(previous.ckpt, previous.old);
    gcam_test::Child child = gcam_test::start_child(cli, args);
    REQUIRE(child.wait_for("epoch 1:", 120000));
    std::this_thread::sleep_for(std::chrono::microseconds(k.delay_us));
    ::kill(child.pid, k.signal);
    const int status = child.finish();
    INFO(child.text);
    CHECK((WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0)));
    const Bytes now = file_bytes(previous.ckpt);
    if (now == previous.old) {
      ++kept_old;
    } else {
      ++got_new;
      CHECK_NOTHROW(load_model(previous.ckpt));  // the new file is complete
    }
    // SIGINT waits for a write in progress to finish: nothing is left behind.
    // SIGKILL may leave a temporary file, never a damaged model.ckpt.
    const int left = remove_stale_temporaries(previous.folder, "model.ckpt");
    if (k.signal == SIGINT) CHECK(left == 0);
    stale += left;
  }
  WARN("killed at the final write: " << kept_old << " kept the old file, " << got_new << " had the complete new one; "
                                     << stale << " stale temporary file(s)");
}

#endif  // GCAM_FLOAT32
