#include "args.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "gcam/core/names.hpp"

namespace gcam::cli {

Args::Args(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

Args& Args::option(const std::string& name, const std::string& metavar, const std::string& help,
                   const std::string& default_value) {
  order_.push_back(name);
  specs_[name] = {metavar, help, default_value, false};
  return *this;
}

Args& Args::flag(const std::string& name, const std::string& help) {
  order_.push_back(name);
  specs_[name] = {"", help, "", true};
  return *this;
}

Args& Args::retired(const std::string& name, const std::string& message) {
  retired_[name] = message;
  return *this;
}

bool Args::parse(const std::vector<std::string>& argv) {
  for (std::size_t i = 0; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return false;
    if (arg.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + arg + "' (options start with --)");
    std::string name = arg.substr(2), value;
    const auto eq = name.find('=');
    const bool inline_value = eq != std::string::npos;
    if (inline_value) value = name.substr(eq + 1), name = name.substr(0, eq);
    const auto gone = retired_.find(name);
    if (gone != retired_.end()) throw UsageError(gone->second);
    const auto spec = specs_.find(name);
    if (spec == specs_.end()) {
      std::vector<std::string> valid;
      for (const auto& known : order_) valid.push_back("--" + known);
      valid.push_back("--help");
      throw UsageError(unknown_name_message("option", "--" + name, valid, "the options of '" + command_ + "'"));
    }
    if (values_.count(name)) throw UsageError("option '--" + name + "' is given twice");
    if (spec->second.is_flag) {
      if (inline_value) throw UsageError("option '--" + name + "' is a flag and takes no value");
      values_[name] = "1";
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argv.size() || argv[i + 1].rfind("--", 0) == 0)
        throw UsageError("option '--" + name + "' needs a value <" + spec->second.metavar + ">");
      value = argv[++i];
    }
    if (value.empty()) throw UsageError("option '--" + name + "' needs a value <" + spec->second.metavar + ">, got ''");
    values_[name] = value;
  }
  return true;
}

bool Args::given(const std::string& name) const {
  return values_.count(name) || !specs_.at(name).default_value.empty();
}

bool Args::on_command_line(const std::string& name) const { return values_.count(name) > 0; }

bool Args::flag_set(const std::string& name) const { return values_.count(name) > 0; }

std::string Args::text(const std::string& name) const {
  const auto v = values_.find(name);
  if (v != values_.end()) return v->second;
  const std::string& d = specs_.at(name).default_value;
  if (d.empty()) throw UsageError("missing required option '--" + name + " <" + specs_.at(name).metavar + ">'");
  return d;
}

long long Args::integer(const std::string& name, long long lo, long long hi) const {
  const std::string s = text(name);
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno == ERANGE)
    throw UsageError("option '--" + name + "' needs a whole number, got '" + s + "'");
  if (v < lo || v > hi)
    throw UsageError("option '--" + name + "' must be between " + std::to_string(lo) + " and " + std::to_string(hi) +
                     ", got " + s);
  return v;
}

double Args::number(const std::string& name, double lo, double hi) const {
  const std::string s = text(name);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0' || !std::isfinite(v))
    throw UsageError("option '--" + name + "' needs a number, got '" + s + "'");
  if (v < lo || v > hi) {
    std::ostringstream msg;
    msg << "option '--" << name << "' must be between " << lo << " and " << hi << ", got " << s;
    throw UsageError(msg.str());
  }
  return v;
}

std::string Args::help() const {
  std::ostringstream out;
  out << "usage: gradcam " << command_ << " [options]\n\n" << summary_ << "\n\noptions:\n";
  for (const auto& name : order_) {
    const Spec& s = specs_.at(name);
    std::string left = "  --" + name + (s.is_flag ? "" : " <" + s.metavar + ">");
    out << left << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << s.help;
    if (!s.default_value.empty()) out << " (default: " << s.default_value << ")";
    out << "\n";
  }
  out << "  --help                      show this help\n";
  if (!epilog_.empty()) out << "\n" << epilog_;
  return out.str();
}

Args& Args::epilog(const std::string& text) {
  epilog_ = text;
  return *this;
}

}  // namespace gcam::cli
