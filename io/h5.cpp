#include "io/h5.h"

#include <stdlib.h>

#include "study/errors.h"

namespace rungs::h5 {
namespace {

herr_t collect_description(unsigned /*n*/, const H5E_error2_t* error, void* out) {
  auto* descriptions = static_cast<std::vector<std::string>*>(out);
  if (error->desc == nullptr || error->desc[0] == '\0') return 0;
  // Some descriptions span lines ("time = ...\n, name = ..."); messages are one line.
  std::string description;
  for (const char* c = error->desc; *c != '\0'; ++c) {
    if (*c != '\n' && *c != '\r') description += *c;
  }
  if (descriptions->empty() || descriptions->back() != description) {
    descriptions->push_back(std::move(description));
  }
  return 0;
}

/// The current error stack, from the API call down to where the error was detected:
/// "unable to open file: unable to read superblock: file signature not found".
std::string error_stack_text() {
  std::vector<std::string> descriptions;
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_description, &descriptions) < 0 ||
      descriptions.empty()) {
    return "no HDF5 error message";
  }
  std::string text = descriptions.front();
  for (std::size_t i = 1; i < descriptions.size(); ++i) text += ": " + descriptions[i];
  return text;
}

}  // namespace

void silence_errors() noexcept { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

void fail(const char* operation, const std::string& object, const std::string& file) {
  std::string message = std::string("hdf5 error in ") + operation;
  if (!object.empty()) message += "('" + object + "')";
  const std::string stack = error_stack_text();
  message += " of " + file + ": " + stack;
  // HDF5's POSIX driver names the errno of a failed system call in its message
  // ("file write failed: ..., errno = 28, error message = 'No space left on device', ...").
  const std::size_t at = stack.find("errno = ");
  if (at != std::string::npos && is_storage_errno(std::atoi(stack.c_str() + at + 8))) {
    throw StorageError(message);
  }
  throw IoError(message);
}

hid_t check_id(hid_t id, const char* operation, const std::string& object,
               const std::string& file) {
  if (id < 0) fail(operation, object, file);
  return id;
}

long long check(long long status, const char* operation, const std::string& object,
                const std::string& file) {
  if (status < 0) fail(operation, object, file);
  return status;
}

std::string Object::child_path(const std::string& name) const {
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

Group Group::create_group(const std::string& name) const {
  const std::string path = child_path(name);
  const hid_t id =
      check_id(H5Gcreate2(this->id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
               "H5Gcreate2", path, file());
  return Group(ObjectId(id), file(), path);
}

Group Group::open_group(const std::string& name) const {
  const std::string path = child_path(name);
  const hid_t id =
      check_id(H5Gopen2(this->id(), name.c_str(), H5P_DEFAULT), "H5Gopen2", path, file());
  return Group(ObjectId(id), file(), path);
}

bool Group::has(const std::string& name) const {
  return check(H5Lexists(id(), name.c_str(), H5P_DEFAULT), "H5Lexists", child_path(name), file()) >
         0;
}

std::vector<std::string> Group::children() const {
  H5G_info_t info;
  check(H5Gget_info(id(), &info), "H5Gget_info", path(), file());
  std::vector<std::string> names;
  names.reserve(info.nlinks);
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const auto size =
        check(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT),
              "H5Lget_name_by_idx", path(), file());
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    check(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                             H5P_DEFAULT),
          "H5Lget_name_by_idx", path(), file());
    name.resize(static_cast<std::size_t>(size));
    names.push_back(std::move(name));
  }
  return names;
}

namespace {

/// The file access properties of every file rungs opens or creates (study.h5, its
/// temporaries, checkpoints). H5F_CLOSE_SEMI makes closing a file with objects still open an
/// error instead of a close deferred to whenever the last object goes. HDF5's own file
/// locking is off: rungs has its own lock (study_lock.h), and where flock does not work (NFS
/// without lockd, Lustre mounted without flock) HDF5's would make every open fail.
PropListId access_properties(const std::string& path) {
  PropListId fapl(check_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", "", path));
  check(H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree", "", path);
#if (H5_VERS_MAJOR == 1 && H5_VERS_MINOR == 10 && H5_VERS_RELEASE >= 7) || H5_VERSION_GE(1, 12, 1)
  // ignore_when_disabled: opening goes on where the file system has no locks at all.
  check(H5Pset_file_locking(fapl.get(), false, true), "H5Pset_file_locking", "", path);
#else
  // No such property before 1.10.7 (and in 1.12.0): the variable is the only switch there.
  // A user's own setting wins.
  ::setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0);
#endif
  return fapl;
}

}  // namespace

bool is_hdf5_file(const std::string& path) {
  silence_errors();
#if H5_VERSION_GE(1, 12, 0)
  const PropListId fapl = access_properties(path);
  return check(H5Fis_accessible(path.c_str(), fapl.get()), "H5Fis_accessible", "", path) > 0;
#else
  return check(H5Fis_hdf5(path.c_str()), "H5Fis_hdf5", "", path) > 0;
#endif
}

File File::create(const std::string& path) {
  silence_errors();
  const PropListId fapl = access_properties(path);
  const hid_t id = check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                            "H5Fcreate", "", path);
  return File(FileId(id), path);
}

File File::create_in_memory(const std::string& path) {
  silence_errors();
  const PropListId fapl = access_properties(path);
  check(H5Pset_fapl_core(fapl.get(), 1 << 20, false), "H5Pset_fapl_core", "", path);
  const hid_t id = check_id(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()),
                            "H5Fcreate", "", path);
  return File(FileId(id), path);
}

std::vector<std::uint8_t> File::close_to_image() {
  check(H5Fflush(id_.get(), H5F_SCOPE_GLOBAL), "H5Fflush", "", path_);
  const ssize_t size = H5Fget_file_image(id_.get(), nullptr, 0);
  if (size < 0) fail("H5Fget_file_image", "", path_);
  std::vector<std::uint8_t> image(static_cast<std::size_t>(size));
  if (H5Fget_file_image(id_.get(), image.data(), image.size()) != size) {
    fail("H5Fget_file_image", "", path_);
  }
  close();
  return image;
}

File File::open_read_only(const std::string& path) {
  silence_errors();
  const PropListId fapl = access_properties(path);
  const hid_t id = check_id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), "H5Fopen", "", path);
  return File(FileId(id), path);
}

Group File::root() const {
  const hid_t id = check_id(H5Gopen2(id_.get(), "/", H5P_DEFAULT), "H5Gopen2", "/", path_);
  return Group(ObjectId(id), path_, "/");
}

void File::close() {
  if (id_.close() < 0) fail("H5Fclose", "", path_);
}

}  // namespace rungs::h5
