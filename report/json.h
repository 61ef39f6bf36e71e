#pragma once
/// A small streaming JSON writer for the data the HTML report embeds. It writes compact
/// JSON with keys in the order given; non-finite numbers become null (JSON has no NaN), and
/// '<', '>' and '&' in strings are written as \u escapes, so the text can sit inside an HTML
/// <script> element without ever closing it.
#include <cstdint>
#include <string>
#include <vector>

namespace rungs::report {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  /// The key of the next value; only inside an object.
  JsonWriter& key(const std::string& name);

  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(double number);  ///< NaN and infinities are written as null
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();

  /// Arrays of plain values, e.g. a column of a table.
  JsonWriter& array(const std::vector<double>& numbers);
  JsonWriter& array(const std::vector<std::string>& texts);
  JsonWriter& array(const std::vector<int>& numbers);

  /// The text written so far; complete once every object and array is closed.
  const std::string& str() const { return out_; }

 private:
  void before_value();

  std::string out_;
  /// One entry per open object or array: whether it already holds an element.
  std::vector<bool> has_element_;
  bool after_key_ = false;
};

/// `text` as a JSON string literal, quotes included, escaped as JsonWriter does.
std::string json_quote(const std::string& text);

}  // namespace rungs::report
