#pragma once
/// A regular expression over the lines a program prints (objective.report.regex): PCRE2
/// syntax, which takes Python's named groups (?P<name>...) as well as (?<name>...). One
/// owner of the compiled pattern; matching is a search (anywhere in the line, as Python's
/// re.search). Used from one thread.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rungs {

class LinePattern {
 public:
  /// Compiles `pattern`; throws Error with PCRE2's message and the offset when it is not a
  /// regular expression ("missing closing parenthesis at offset 12").
  explicit LinePattern(const std::string& pattern);
  ~LinePattern();
  LinePattern(LinePattern&&) noexcept;
  LinePattern& operator=(LinePattern&&) noexcept;
  LinePattern(const LinePattern&) = delete;
  LinePattern& operator=(const LinePattern&) = delete;

  /// The names of its named groups, sorted.
  const std::vector<std::string>& names() const { return names_; }
  /// When `line` matches: each named group that took part in the match, with its text.
  std::optional<std::map<std::string, std::string>> match(std::string_view line) const;

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
  std::vector<std::pair<std::string, int>> groups_;  ///< name, group number
  std::vector<std::string> names_;
};

}  // namespace rungs
