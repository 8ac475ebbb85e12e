// The table of bad-input cases of the command-line tool (tests/test_bad_inputs.cpp
// runs it): the files a case works with (made in test_bad_inputs_files.cpp)
// and the cases, one list per kind of mistake (test_bad_inputs_files.cpp,
// test_bad_inputs_args.cpp).
#pragma once

#include <string>
#include <vector>

#include "scratch_folder.hpp"

namespace gcam_test {

struct Case {
  std::string what;
  std::vector<std::string> args;
  int exit_code;
  std::vector<std::string> message;  // each must appear in the output
};

// The files the cases read, all in one scratch folder: a valid checkpoint and
// image, outputs that exist before the run, and broken images and checkpoints.
struct BadInputFiles {
  ScratchFolder folder{"bad_inputs"};
  BadInputFiles();
  std::string f(const std::string& name) const { return folder.file(name); }

  const std::string good = f("good.ckpt"), png = f("good.png");
  const std::string out = f("new.png"), old = f("old.png");  // an output to be, one that exists

  // explain with every argument right but `extra`; `ckpt` and `image` replace
  // the good ones when given, and image "-" leaves --image out.
  std::vector<std::string> explain(const std::vector<std::string>& extra, const std::string& ckpt = "",
                                   const std::string& image = "") const {
    std::vector<std::string> a{"explain", "--ckpt", ckpt.empty() ? good : ckpt};
    if (image != "-") a.insert(a.end(), {"--image", image.empty() ? png : image});
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  // train on 64 images for 1 epoch with 1 thread, plus `extra`.
  std::vector<std::string> train(const std::vector<std::string>& extra) const {
    std::vector<std::string> a{"train", "--limit", "64", "--epochs", "1", "--threads", "1"};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }

  // The cases, by kind of mistake, in the order the table runs them.
  std::vector<Case> image_file_cases() const;           // test_bad_inputs_files.cpp
  std::vector<Case> checkpoint_file_cases() const;      // test_bad_inputs_files.cpp
  std::vector<Case> explain_option_cases() const;       // test_bad_inputs_args.cpp
  std::vector<Case> explain_file_option_cases() const;  // test_bad_inputs_args.cpp
  std::vector<Case> train_option_cases() const;         // test_bad_inputs_args.cpp
  std::vector<Case> other_command_cases() const;        // test_bad_inputs_args.cpp
};

}  // namespace gcam_test
