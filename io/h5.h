#pragma once
/// The thin layer over the HDF5 C API that the rest of io/ uses. Every hid_t has exactly
/// one owner (Handle), move-only, whose destructor releases it and never throws. Every
/// failing C call becomes a rungs::IoError naming the call, the object and the file:
///   hdf5 error in H5Dwrite('/trials/id') of runs/x/study.h5: <HDF5 error stack>
/// HDF5's own printing of error stacks to stderr is turned off (silence_errors()).
#include <hdf5.h>

#include <string>
#include <utility>
#include <vector>

namespace rungs::h5 {

/// Turns off HDF5's automatic printing of error stacks for the calling thread (the error
/// stack is per thread in thread-safe builds). File::create and File::open_read_only call it.
void silence_errors() noexcept;

/// Throws IoError for the HDF5 call `operation` that just failed on `object` (a path in
/// the file; empty for file-level calls) of `file`, with the text of the current HDF5
/// error stack. Call it right after the failure: any other HDF5 call clears the stack.
[[noreturn]] void fail(const char* operation, const std::string& object, const std::string& file);

/// Returns `id`, or throws as fail() when the call that produced it failed (id < 0).
hid_t check_id(hid_t id, const char* operation, const std::string& object, const std::string& file);
/// Throws as fail() when `status` < 0 (herr_t, htri_t and ssize_t results).
long long check(long long status, const char* operation, const std::string& object,
                const std::string& file);

/// Sole owner of one hid_t, released with `Close`. An invalid Handle holds H5I_INVALID_HID.
template <herr_t (*Close)(hid_t)>
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) noexcept : id_(id) {}
  ~Handle() { (void)close(); }

  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      (void)close();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }

  /// Releases the id now and returns the C status; for callers that must know whether
  /// the release worked (closing a file flushes it). Closing an invalid Handle is a no-op.
  herr_t close() noexcept {
    if (id_ < 0) return 0;
    const herr_t status = Close(std::exchange(id_, H5I_INVALID_HID));
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using FileId = Handle<H5Fclose>;
/// Groups and datasets, closed with H5Oclose (which closes either kind).
using ObjectId = Handle<H5Oclose>;
using DataspaceId = Handle<H5Sclose>;
using DatatypeId = Handle<H5Tclose>;
using PropListId = Handle<H5Pclose>;
using AttributeId = Handle<H5Aclose>;

/// A group or a dataset of an open file, with the names error messages need.
class Object {
 public:
  Object(ObjectId id, std::string file, std::string path)
      : id_(std::move(id)), file_(std::move(file)), path_(std::move(path)) {}

  hid_t id() const noexcept { return id_.get(); }
  /// The file's name as it was opened, for messages.
  const std::string& file() const noexcept { return file_; }
  /// The object's absolute path in the file: "/", "/trials", "/trials/id".
  const std::string& path() const noexcept { return path_; }
  /// The absolute path of a child named `name`.
  std::string child_path(const std::string& name) const;

 private:
  ObjectId id_;
  std::string file_;
  std::string path_;
};

/// A group (the root group included): creates and opens its children.
class Group : public Object {
 public:
  using Object::Object;

  Group create_group(const std::string& name) const;
  Group open_group(const std::string& name) const;
  /// True when a link `name` exists directly in this group.
  bool has(const std::string& name) const;
  /// Names of the links in this group, in name order.
  std::vector<std::string> children() const;
};

/// True when `path` is an HDF5 file (by its signature); IoError when it cannot be checked.
bool is_hdf5_file(const std::string& path);

/// An open HDF5 file. Close it with close() to learn whether the final flush worked; the
/// destructor closes silently. Every group and dataset opened from it must be gone before
/// close() (the file is opened with H5F_CLOSE_SEMI, so close() fails otherwise).
class File {
 public:
  /// Creates `path`, truncating any existing file.
  static File create(const std::string& path);
  /// Creates a file in memory only (HDF5's core driver), named `path` in messages; take its
  /// bytes with close_to_image(). For files that are then written whole with plain POSIX
  /// calls, so that a full disk is an error of one write(2) and never leaves HDF5 with a
  /// file it could not flush (which it retries, and can crash on, at exit).
  static File create_in_memory(const std::string& path);
  /// Opens an existing file read-only.
  static File open_read_only(const std::string& path);

  const std::string& path() const noexcept { return path_; }
  Group root() const;
  void close();
  /// Flushes, returns the whole file's bytes and closes (create_in_memory files).
  std::vector<std::uint8_t> close_to_image();

 private:
  File(FileId id, std::string path) : id_(std::move(id)), path_(std::move(path)) {}

  FileId id_;
  std::string path_;
};

}  // namespace rungs::h5
