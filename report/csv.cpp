#include "report/csv.h"

#include <cmath>

#include "study/param.h"

namespace rungs::report {

std::string csv_field(const std::string& field) {
  const bool needs_quotes =
      field.find_first_of(",\"\r\n") != std::string::npos ||
      (!field.empty() && (field.front() == ' ' || field.front() == '\t' ||
                          field.back() == ' ' || field.back() == '\t'));
  if (!needs_quotes) return field;
  std::string out = "\"";
  for (const char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out << ',';
    out << csv_field(fields[i]);
  }
  out << '\n';
}

std::string csv_number(double value) {
  if (std::isnan(value)) return "";
  return to_string(ParamValue{value});  // "inf" and "-inf" read back in pandas
}

}  // namespace rungs::report
