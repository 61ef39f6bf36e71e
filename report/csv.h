#pragma once
/// CSV as RFC 4180 and pandas.read_csv read it: comma-separated, '\n' line ends, a field
/// quoted (with inner quotes doubled) when it holds a comma, a quote, a line break or
/// leading or trailing white space; an empty field is a missing value.
#include <ostream>
#include <string>
#include <vector>

namespace rungs::report {

/// `field` as it must appear in a CSV line.
std::string csv_field(const std::string& field);

/// Writes one line of fields to `out`.
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);

/// A number for a CSV cell: shortest text that reads back as the same double, "inf" or
/// "-inf"; NaN as an empty cell (a missing value).
std::string csv_number(double value);

}  // namespace rungs::report
