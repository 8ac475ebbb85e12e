// json_reader.hpp — a small JSON reader for tests that read back the data a
// program wrote (the report's <script id="gradcam-data"> block). Objects,
// arrays, numbers, strings (with \" \\ \/ and \uXXXX below 0x80), true,
// false, null. Throws std::runtime_error on anything else.
#pragma once

#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gcam_test {

struct Json {
  enum Kind { Null, Bool, Number, String, Array, Object } kind = Null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::map<std::string, Json> fields;

  const Json& operator[](const std::string& key) const {
    const auto f = fields.find(key);
    if (kind != Object || f == fields.end()) throw std::runtime_error("json: no field '" + key + "'");
    return f->second;
  }
  const Json& operator[](std::size_t i) const {
    if (kind != Array || i >= items.size()) throw std::runtime_error("json: no item " + std::to_string(i));
    return items[i];
  }
  std::size_t size() const { return kind == Array ? items.size() : fields.size(); }
  bool has(const std::string& key) const { return kind == Object && fields.count(key) > 0; }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : s_(text) {}
  Json parse() {
    Json value = read_value();
    skip_space();
    if (i_ != s_.size()) fail("text after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("json: " + what + " at offset " + std::to_string(i_));
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool take(const std::string& word) {
    if (s_.compare(i_, word.size(), word) != 0) return false;
    i_ += word.size();
    return true;
  }
  std::string read_string() {
    if (s_[i_++] != '"') fail("expected a string");
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        c = s_[i_++];
        if (c == 'u')
          c = char(std::strtol(s_.substr(i_, 4).c_str(), nullptr, 16)), i_ += 4;
        else if (c == 'n')
          c = '\n';
      }
      out += c;
    }
    if (i_++ >= s_.size()) fail("unterminated string");
    return out;
  }
  Json read_value() {
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') return read_object();
    if (c == '[') return read_array();
    if (c == '"')
      v.kind = Json::String, v.text = read_string();
    else if (take("true"))
      v.kind = Json::Bool, v.boolean = true;
    else if (take("false"))
      v.kind = Json::Bool;
    else if (take("null"))
      v.kind = Json::Null;
    else {
      char* end = nullptr;
      v.kind = Json::Number, v.number = std::strtod(s_.c_str() + i_, &end);
      if (end == s_.c_str() + i_) fail("expected a value");
      i_ = std::size_t(end - s_.c_str());
    }
    return v;
  }
  Json read_array() {
    Json v;
    v.kind = Json::Array;
    ++i_;
    skip_space();
    if (take("]")) return v;
    do v.items.push_back(read_value()), skip_space();
    while (take(","));
    if (!take("]")) fail("expected ]");
    return v;
  }
  Json read_object() {
    Json v;
    v.kind = Json::Object;
    ++i_;
    skip_space();
    if (take("}")) return v;
    do {
      skip_space();
      const std::string key = read_string();
      skip_space();
      if (!take(":")) fail("expected :");
      v.fields[key] = read_value();
      skip_space();
    } while (take(","));
    if (!take("}")) fail("expected }");
    return v;
  }
  const std::string& s_;
  std::size_t i_ = 0;
};

}  // namespace gcam_test
