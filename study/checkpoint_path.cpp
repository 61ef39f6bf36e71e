#include "study/checkpoint_path.h"

#include <cctype>

namespace rungs {

std::string checkpoint_file(const std::string& stem, int epochs) {
  return stem + ".e" + std::to_string(epochs) + ".h5";
}

std::string checkpoint_folder(const std::string& stem, int epochs) {
  return stem + ".e" + std::to_string(epochs);
}

std::optional<int> checkpoint_epoch_of(const std::string& stem, const std::string& file_name) {
  const std::size_t slash = stem.rfind('/');
  const std::string prefix = (slash == std::string::npos ? stem : stem.substr(slash + 1)) + ".e";
  const bool file = file_name.size() > 3 && file_name.compare(file_name.size() - 3, 3, ".h5") == 0;
  const std::string suffix = file ? ".h5" : "";
  if (file_name.size() <= prefix.size() + suffix.size() ||
      file_name.compare(0, prefix.size(), prefix) != 0 ||
      file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  const std::string digits =
      file_name.substr(prefix.size(), file_name.size() - prefix.size() - suffix.size());
  if (digits.size() > 9) return std::nullopt;
  for (const char c : digits) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return std::nullopt;
  }
  return std::stoi(digits);
}

}  // namespace rungs
