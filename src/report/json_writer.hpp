// json_writer.hpp — a small JSON writer for the report's data block.
//
// Values are written in order, as they come; the writer only inserts the
// commas and quotes. Numbers are written with 17 significant digits, so that
// a reader gets back exactly the double that was written. Non-finite numbers
// (not JSON) are written as null.
#pragma once

#include <string>
#include <vector>

namespace gcam::report {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);  // inside an object, before its value
  JsonWriter& value(double number);
  JsonWriter& value(int number);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(bool flag);
  JsonWriter& values(const std::vector<double>& numbers);  // as an array
  JsonWriter& values(const std::vector<int>& numbers);
  const std::string& text() const { return text_; }

 private:
  void separate();  // a comma before every value but the first of its container
  std::string text_;
  bool first_ = true;
  bool after_key_ = false;
};

// `text` as a JSON string literal, quotes included. "</" is written "<\/" so
// that the text can sit inside an HTML <script> block.
std::string json_string(const std::string& text);

}  // namespace gcam::report
