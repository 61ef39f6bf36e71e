#include "io/study_file_atomic.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

#include "io/fd.h"
#include "study/errors.h"
#include "study/fault.h"

namespace rungs {
namespace {

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void remove_if_present(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) Fd::fail(path, "unlink", errno);
}

}  // namespace

void replace_file_atomically(const std::string& path,
                             const std::function<void(const std::string& temporary)>& write,
                             const char* fault_point) {
  const std::string temporary = path + ".tmp";
  remove_if_present(temporary);
  try {
    write(temporary);
    fault::point(fault_point);
    Fd file = Fd::open(temporary, O_RDONLY | O_CLOEXEC);
    file.fsync();
    file.close();
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      Fd::fail(temporary, "rename to " + path, errno);
    }
  } catch (...) {
    (void)::unlink(temporary.c_str());
    throw;
  }
  // After the rename the new file is in place; this makes the rename itself durable.
  const Fd directory = Fd::open(directory_of(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  directory.fsync();
}

void replace_file_atomically(const std::string& path, const std::vector<std::uint8_t>& content,
                             const char* fault_point) {
  replace_file_atomically(
      path,
      [&content](const std::string& temporary) {
        Fd file = Fd::open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        write_all(file, content.data(), content.size());
        file.close();
      },
      fault_point);
}

void create_folders_durably(const std::string& folder) {
  // Collected before creating: where two processes race to create the same folder, both
  // sync its parent, so neither returns before the name is durable.
  std::vector<std::filesystem::path> missing;
  for (std::filesystem::path p(folder); !p.empty() && !std::filesystem::exists(p);
       p = p.parent_path()) {
    missing.push_back(p);
  }
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) {
    std::string message = folder + ": cannot create the folder: " + error.message();
    if (is_storage_errno(error.value())) throw StorageError(message);
    throw IoError(message);
  }
  for (const auto& p : missing) {
    Fd::open(p.has_parent_path() ? p.parent_path().string() : ".",
             O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        .fsync();
  }
}

}  // namespace rungs
