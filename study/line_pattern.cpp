#include "study/line_pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>

#include "study/errors.h"

namespace rungs {

struct LinePattern::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_data* data = nullptr;
  ~Compiled() {
    pcre2_match_data_free(data);  // both accept nullptr
    pcre2_code_free(code);
  }
};

LinePattern::LinePattern(const std::string& pattern) : compiled_(std::make_unique<Compiled>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  0, &error, &offset, nullptr);
  if (!compiled_->code) {
    PCRE2_UCHAR text[256];
    pcre2_get_error_message(error, text, sizeof text);
    throw Error(std::string(reinterpret_cast<const char*>(text)) + " at offset " +
                std::to_string(offset));
  }
  compiled_->data = pcre2_match_data_create_from_pattern(compiled_->code, nullptr);
  if (!compiled_->data) throw Error("out of memory for the pattern's match data");
  uint32_t count = 0, entry_size = 0;
  PCRE2_SPTR table = nullptr;
  pcre2_pattern_info(compiled_->code, PCRE2_INFO_NAMECOUNT, &count);
  pcre2_pattern_info(compiled_->code, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
  pcre2_pattern_info(compiled_->code, PCRE2_INFO_NAMETABLE, &table);
  // Each entry: the group number in two bytes, then the name, NUL-terminated.
  for (uint32_t i = 0; i < count; ++i) {
    const PCRE2_SPTR entry = table + i * entry_size;
    const int number = (entry[0] << 8) | entry[1];
    std::string name(reinterpret_cast<const char*>(entry + 2));
    groups_.emplace_back(name, number);
    names_.push_back(std::move(name));
  }
  std::sort(names_.begin(), names_.end());
}

LinePattern::~LinePattern() = default;
LinePattern::LinePattern(LinePattern&&) noexcept = default;
LinePattern& LinePattern::operator=(LinePattern&&) noexcept = default;

std::optional<std::map<std::string, std::string>> LinePattern::match(std::string_view line) const {
  const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(line.data()),
                             line.size(), 0, 0, compiled_->data, nullptr);
  if (rc < 0) return std::nullopt;  // no match (or a match error: the line is not a report)
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(compiled_->data);
  std::map<std::string, std::string> groups;
  for (const auto& [name, number] : groups_) {
    if (number >= rc) continue;  // did not take part
    const PCRE2_SIZE begin = ovector[2 * number], end = ovector[2 * number + 1];
    if (begin == PCRE2_UNSET) continue;
    groups[name] = std::string(line.substr(begin, end - begin));
  }
  return groups;
}

}  // namespace rungs
