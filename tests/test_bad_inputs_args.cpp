// The command-line mistakes of the bad-input table (tests/bad_inputs.hpp):
// unknown options and names, missing, malformed or out-of-range values, and
// outputs that cannot or must not be written. Each must be refused with exit
// code 2 and a message naming the option, before any work is done.
#include "bad_inputs.hpp"

#ifdef GCAM_FLOAT32

namespace gcam_test {

std::vector<Case> BadInputFiles::explain_option_cases() const {
  // One case a line, as a table reads.
  // clang-format off
  return {
      {"unknown option", explain({"--out", out, "--colour", "jet"}), 2, {"unknown option '--colour'", "--colormap"}},
      {"missing value", explain({"--out", old, "--layer"}), 2, {"'--layer' needs a value"}},
      {"value that is an option", explain({"--layer", "--out", out}), 2, {"'--layer' needs a value"}},
      {"non-number", explain({"--out", out, "--opacity", "abc"}), 2, {"--opacity", "needs a number", "abc"}},
      {"number out of range", explain({"--out", old, "--opacity", "2"}), 2, {"--opacity", "between 0 and 1"}},
      {"NaN as a number", explain({"--out", out, "--opacity", "nan"}), 2, {"--opacity", "needs a number"}},
      // "alpha" means the channel weights α^c_k: the old name of --opacity is refused with a pointer to it.
      {"--alpha, renamed --opacity", explain({"--out", out, "--alpha", "0.5"}), 2,
       {"--alpha was renamed --opacity", "opacity over the image", "channel weights α^c_k"}},
      {"--alpha=x, renamed --opacity", explain({"--out", old, "--alpha=0.5"}), 2, {"--alpha was renamed --opacity"}},
      {"unknown layer", explain({"--out", old, "--layer", "conv9"}), 2, {"unknown layer 'conv9'", "conv1", "relu4"}},
      {"layer without feature maps", explain({"--out", out, "--layer", "fc"}), 2, {"'fc'", "not feature maps", "relu4"}},
      {"unknown class", explain({"--out", old, "--class", "dog"}), 2, {"unknown class 'dog'", "0 circle", "3 cross"}},
      {"class number out of range", explain({"--out", out, "--class", "7"}), 2, {"unknown class '7'", "3 cross"}},
      {"unknown colormap", explain({"--out", old, "--colormap", "rainbow"}), 2,
       {"unknown colormap 'rainbow'", "jet, viridis"}},
      {"unknown score", explain({"--out", out, "--score", "margin"}), 2, {"logit or probability", "margin"}},
      {"--image and --data together", explain({"--out", old, "--data", "shapes-test"}), 2, {"exactly one of"}},
      {"neither --image nor --data", explain({"--out", out}, "", "-"), 2, {"exactly one of"}},
      {"--index out of range", explain({"--out", old, "--data", "shapes-test", "--index", "1000"}, "", "-"), 2,
       {"--index", "between 0 and 999", "1000"}},
      {"--index with --image", explain({"--out", out, "--index", "3"}), 2, {"--index", "does not apply"}},
      {"--data without a split", explain({"--out", old, "--data", "shapes"}, "", "-"), 2, {"<set>-<split>"}},
      {"unknown split", explain({"--out", out, "--data", "shapes-valid"}, "", "-"), 2,
       {"unknown split 'valid'", "train, test"}},
      {"unknown data set", explain({"--out", old, "--data", "mnist-test"}, "", "-"), 2,
       {"unknown data set 'mnist'", "fashion, shapes"}},
      {"option given twice", explain({"--out", out, "--out", f("other.png")}), 2, {"'--out' is given twice"}},
      {"empty value", explain({"--out="}), 2, {"'--out' needs a value"}},
      {"flag with a value", explain({"--out", old, "--counterfactual=yes"}), 2, {"'--counterfactual' is a flag"}},
      {"stray argument", explain({"--out", out, "extra"}), 2, {"unexpected argument 'extra'"}},
  };
  // clang-format on
}

std::vector<Case> BadInputFiles::explain_file_option_cases() const {
  // One case a line, as a table reads.
  // clang-format off
  return {
      {"--out is a folder", explain({"--out", f("adir")}), 2, {"--out", "is a folder"}},
      {"--out in a missing folder", explain({"--out", f("nowhere/cam.png")}), 2, {"--out", "does not exist"}},
      {"--out would replace the checkpoint", explain({"--out", good}), 2, {"--out", "also an input"}},
      {"--out would replace the image", explain({"--out", png}), 2, {"--out", "also an input"}},
      {"--out and --save-map the same file", explain({"--out", out, "--save-map", out}), 2, {"same file"}},
      {"--save-map in a missing folder", explain({"--out", out, "--save-map", f("nowhere/map.npy")}), 2,
       {"--save-map", "does not exist"}},
      {"missing --out", explain({}), 2, {"missing required option '--out"}},
  };
  // clang-format on
}

// Nothing is trained: every one is refused first.
std::vector<Case> BadInputFiles::train_option_cases() const {
  // One case a line, as a table reads.
  // clang-format off
  return {
      {"train: unknown model", train({"--out", f("old.ckpt"), "--model", "resnet"}), 2,
       {"unknown model 'resnet'", "fashion-cnn, shapes-cnn, gap-cnn"}},
      {"train: unknown data set", train({"--out", f("new.ckpt"), "--data", "mnist"}), 2,
       {"unknown data set 'mnist'", "fashion, shapes"}},
      {"train: NaN learning rate", train({"--out", f("old.ckpt"), "--lr", "nan"}), 2, {"--lr", "needs a number"}},
      {"train: negative learning rate", train({"--out", f("new.ckpt"), "--lr", "-1"}), 2,
       {"--lr", "between 0 and 10"}},
      {"train: negative thread count", {"train", "--out", f("old.ckpt"), "--threads", "-2"}, 2,
       {"--threads", "between 1 and 256"}},
      {"train: fractional thread count", {"train", "--out", f("new.ckpt"), "--threads", "1.5"}, 2,
       {"--threads", "whole number"}},
      {"train: option given twice", train({"--out", f("old.ckpt"), "--epochs", "3"}), 2, {"'--epochs' is given twice"}},
      {"train: number too large for 64 bits", {"train", "--out", f("new.ckpt"), "--epochs", "99999999999999999999"}, 2,
       {"--epochs", "whole number"}},
      {"train: epochs out of range", {"train", "--out", f("old.ckpt"), "--epochs", "0"}, 2,
       {"--epochs", "between 1 and 1000"}},
      {"train: unknown optimizer", train({"--out", f("new.ckpt"), "--optimizer", "rmsprop"}), 2,
       {"unknown optimizer 'rmsprop'", "sgd, adam"}},
      {"train: missing --out", train({}), 2, {"missing required option '--out"}},
      {"train: --out inside a file", train({"--out", f("good.png/model.ckpt")}), 2, {"--out", "is not a folder"}},
  };
  // clang-format on
}

std::vector<Case> BadInputFiles::other_command_cases() const {
  // One case a line, as a table reads.
  // clang-format off
  return {
      {"unknown command", {"frobnicate"}, 2, {"unknown command 'frobnicate'", "explain"}},
      {"no command", {}, 2, {"usage: gradcam <command>"}},
      {"eval: corrupt checkpoint", {"eval", "--ckpt", f("checksum.ckpt")}, 1, {"checksum mismatch"}},
      {"samples: missing folder", {"samples", "--out-dir", f("nowhere")}, 2, {"--out-dir", "does not exist"}},
      {"demo: scenes out of range", {"demo", "--out-dir", f("demo"), "--scenes", "0"}, 2,
       {"--scenes", "between 1 and 100"}},
  };
  // clang-format on
}

}  // namespace gcam_test

#endif  // GCAM_FLOAT32
