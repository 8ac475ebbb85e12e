// args.hpp — a small command-line parser for the gradcam subcommands.
//
// Options are "--name value" or "--name=value"; flags are "--name". Every
// option is declared with its help text, so --help is generated and unknown
// options are caught with the list of valid ones. An option given twice, an
// empty value and a value that looks like an option ("--out --ckpt x") are
// mistakes too.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace gcam::cli {

// A mistake in the command line: printed with a usage hint, exit code 2.
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class Args {
 public:
  Args(std::string command, std::string summary);

  // Declares "--name <metavar>" with a default ("" = no default).
  Args& option(const std::string& name, const std::string& metavar, const std::string& help,
               const std::string& default_value = "");
  // Declares a flag "--name".
  Args& flag(const std::string& name, const std::string& help);
  // An option that no longer exists: "--name" (with or without a value) is
  // refused with `message`, so old scripts fail loudly instead of meeting
  // "unknown option". Not listed in help().
  Args& retired(const std::string& name, const std::string& message);

  // Text printed after the options in help() (e.g. the valid values of one).
  Args& epilog(const std::string& text);

  // Parses argv (without the program and subcommand). Returns false if --help
  // was given (help() should then be printed). Throws UsageError.
  bool parse(const std::vector<std::string>& argv);

  bool given(const std::string& name) const;            // on the command line (or has a default)
  bool on_command_line(const std::string& name) const;  // on the command line (a default does not count)
  bool flag_set(const std::string& name) const;
  std::string text(const std::string& name) const;  // throws UsageError if missing
  long long integer(const std::string& name, long long lo, long long hi) const;
  double number(const std::string& name, double lo, double hi) const;
  std::string help() const;
  const std::string& command() const { return command_; }

 private:
  struct Spec {
    std::string metavar, help, default_value;
    bool is_flag;
  };
  std::string command_, summary_, epilog_;
  std::vector<std::string> order_;
  std::map<std::string, Spec> specs_;
  std::map<std::string, std::string> retired_;  // name -> why it is refused
  std::map<std::string, std::string> values_;
};

}  // namespace gcam::cli
