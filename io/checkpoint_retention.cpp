#include "io/checkpoint_retention.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include "study/checkpoint_path.h"

namespace rungs {

void remove_old_checkpoints(const std::string& stem, int newest, int previous) noexcept {
  namespace fs = std::filesystem;
  try {
    const fs::path folder = fs::path(stem).has_parent_path() ? fs::path(stem).parent_path()
                                                             : fs::path(".");
    std::error_code error;
    std::vector<fs::path> doomed;
    for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
      const auto epoch = checkpoint_epoch_of(stem, it->path().filename().string());
      if (epoch && *epoch != newest && *epoch != previous) doomed.push_back(it->path());
    }
    for (const fs::path& file : doomed) fs::remove_all(file, error);
  } catch (...) {
    // Allocation failures while listing: the files stay, which costs only disk space.
  }
}

}  // namespace rungs
