#include <gtest/gtest.h>

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "io/fd.h"
#include "io/h5.h"
#include "io/h5_attribute.h"
#include "io/h5_column.h"
#include "study/errors.h"
#include "tests/temp_dir.h"

namespace rungs::h5 {
namespace {

using rungs::testing::TempDir;

template <class T>
void expect_round_trip(const std::vector<T>& values) {
  TempDir dir;
  const std::string path = dir.file("c.h5");
  {
    File file = File::create(path);
    { write_column(file.root(), "c", values); }
    file.close();
  }
  const File file = File::open_read_only(path);
  EXPECT_EQ(read_column<T>(file.root(), "c"), values);
}

TEST(H5Column, EveryTypeRoundTrips) {
  expect_round_trip<double>({1.5, -0.0, 1e300, std::numeric_limits<double>::infinity()});
  expect_round_trip<std::int64_t>({0, -1, std::numeric_limits<std::int64_t>::max()});
  expect_round_trip<std::uint64_t>({0, std::numeric_limits<std::uint64_t>::max()});
  expect_round_trip<std::int32_t>({7, -7});
  expect_round_trip<std::uint8_t>({0, 255, 10});
  expect_round_trip<bool>({true, false, true});
  expect_round_trip<std::string>({"adam", "", "caf\xc3\xa9", "a much longer string with spaces"});
}

TEST(H5Column, ZeroLengthColumnsRoundTrip) {
  expect_round_trip<double>({});
  expect_round_trip<bool>({});
  expect_round_trip<std::string>({});
  expect_round_trip<std::uint8_t>({});
}

TEST(H5Column, NanSurvives) {
  TempDir dir;
  const std::string path = dir.file("nan.h5");
  {
    File file = File::create(path);
    { write_column(file.root(), "x", std::vector<double>{std::nan("")}); }
    file.close();
  }
  const File file = File::open_read_only(path);
  EXPECT_TRUE(std::isnan(read_column<double>(file.root(), "x").at(0)));
}

TEST(H5Attribute, ScalarsAndScalarStringRoundTrip) {
  TempDir dir;
  const std::string path = dir.file("a.h5");
  {
    File file = File::create(path);
    {
      const Group root = file.root();
      const Group group = root.create_group("g");
      write_string_attribute(group, "s", "maximize");
      write_double_attribute(group, "d", 0.25);
      write_int_attribute(group, "i", -3);
      write_scalar_string(root, "text", "line 1\nline 2\n");
    }
    file.close();
  }
  const File file = File::open_read_only(path);
  const Group root = file.root();
  const Group group = root.open_group("g");
  EXPECT_EQ(read_string_attribute(group, "s"), "maximize");
  EXPECT_EQ(read_double_attribute(group, "d"), 0.25);
  EXPECT_EQ(read_int_attribute(group, "i"), -3);
  EXPECT_FALSE(has_attribute(group, "missing"));
  EXPECT_EQ(read_scalar_string(root, "text"), "line 1\nline 2\n");
  EXPECT_EQ(root.children(), (std::vector<std::string>{"g", "text"}));
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const IoError& error) {
    return error.what();
  }
  return "no IoError";
}

TEST(H5Error, NamesTheCallTheObjectAndTheFile) {
  TempDir dir;
  const std::string path = dir.file("e.h5");
  File file = File::create(path);
  const Group root = file.root();
  const Group trials = root.create_group("trials");
  const std::string message = message_of([&] { open_dataset(trials, "nope"); });
  EXPECT_EQ(message.rfind("hdf5 error in H5Dopen2('/trials/nope') of " + path + ": ", 0), 0u)
      << message;
  // The HDF5 error stack's text follows, on the same line.
  EXPECT_GT(message.size(), ("hdf5 error in H5Dopen2('/trials/nope') of " + path + ": ").size());
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(H5Error, ReadingAColumnAsTheWrongTypeNamesIt) {
  TempDir dir;
  const std::string path = dir.file("w.h5");
  File file = File::create(path);
  const Group root = file.root();
  write_column(root, "x", std::vector<double>{1.0});
  const std::string message = message_of([&] { read_column<std::string>(root, "x"); });
  EXPECT_EQ(message, path + ": /x is not a variable-length string dataset");
  EXPECT_NE(message_of([&] { read_column<bool>(root, "x"); }).find("/x"), std::string::npos);
  EXPECT_NE(message_of([&] { read_double_attribute(root, "nope"); }).find("no attribute 'nope'"),
            std::string::npos);
}

TEST(H5File, CloseFailsWhileObjectsAreOpen) {
  TempDir dir;
  File file = File::create(dir.file("open.h5"));
  const Group group = file.root().create_group("g");
  EXPECT_THROW(file.close(), IoError);
}

TEST(H5File, MissingFileIsAnIoErrorNamingIt) {
  const std::string path = "/nonexistent-dir/x.h5";
  const std::string message = message_of([&] { File::open_read_only(path); });
  EXPECT_NE(message.find("H5Fopen"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
}

/// Holds flock(LOCK_EX) on a file through a descriptor of its own, as another process would.
class FlockHolder {
 public:
  explicit FlockHolder(const std::string& path) : fd_(Fd::open(path, O_RDWR | O_CLOEXEC)) {}
  bool lock() const { return ::flock(fd_.get(), LOCK_EX | LOCK_NB) == 0; }

 private:
  Fd fd_;
};

// File systems without working flock (NFS without lockd, Lustre without -o flock) make
// every HDF5 open fail when HDF5 locks files; rungs has its own lock and turns HDF5's off.
// A lock held on the file stands in for such a file system. (H5Fget_access_plist would not
// tell: HDF5 1.10.8 reports file locking on there whatever the file was opened with.)
TEST(H5File, OpensAndCreatesWithoutHdf5FileLocking) {
  ::unsetenv("HDF5_USE_FILE_LOCKING");  // the library's setting is under test, not the user's
  TempDir dir;
  const std::string path = dir.file("locked.h5");
  {
    File file = File::create(path);
    file.close();
  }
  const FlockHolder other(path);
  ASSERT_TRUE(other.lock());
  EXPECT_NO_THROW({
    const File file = File::open_read_only(path);
    EXPECT_TRUE(is_hdf5_file(path));
  });
  EXPECT_NO_THROW({
    File file = File::create(path);
    file.close();
  });
}

TEST(H5Handle, MoveTransfersOwnership) {
  DataspaceId a(H5Screate(H5S_SCALAR));
  ASSERT_TRUE(a.valid());
  const hid_t id = a.get();
  DataspaceId b(std::move(a));
  EXPECT_FALSE(a.valid());  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(b.get(), id);
  EXPECT_GT(H5Iis_valid(id), 0);
  b = DataspaceId();
  EXPECT_LE(H5Iis_valid(id), 0);
}

}  // namespace
}  // namespace rungs::h5
