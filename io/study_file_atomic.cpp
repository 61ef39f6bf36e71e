#include "io/study_file_atomic.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "io/fd.h"
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

}  // namespace rungs
