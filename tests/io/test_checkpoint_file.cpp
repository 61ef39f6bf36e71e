#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <filesystem>
#include <string>
#include <vector>

#include "io/checkpoint_file.h"
#include "io/h5.h"
#include "io/h5_attribute.h"
#include "study/checkpoint_path.h"
#include "study/errors.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

using rungs::testing::TempDir;

CheckpointData sample() {
  CheckpointData data;
  data.epoch = 7;
  data.trial_id = 12;
  data.seed = 0xfedcba9876543210ULL;  // needs all 64 bits
  data.optimizer = "adam";
  data.optimizer_step = 1234;
  data.arrays["model/1.weight"] = {{2, 3}, {1, 2, 3, 4, 5, 6}};
  data.arrays["model/1.bias"] = {{2}, {-0.5f, 0.25f}};
  data.arrays["model/scalar"] = {{}, {3.5f}};
  data.arrays["model/empty"] = {{0, 4}, {}};
  data.arrays["optimizer/exp_avg/1.weight"] = {{2, 3}, {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}};
  data.arrays["optimizer/exp_avg_sq/1.weight"] = {{2, 3}, {1e-8f, 2e-8f, 3, 4, 5, 6}};
  return data;
}

void expect_equal(const CheckpointData& a, const CheckpointData& b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.trial_id, b.trial_id);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.optimizer, b.optimizer);
  EXPECT_EQ(a.optimizer_step, b.optimizer_step);
  ASSERT_EQ(a.arrays.size(), b.arrays.size());
  for (const auto& [path, array] : a.arrays) {
    ASSERT_EQ(b.arrays.count(path), 1u) << path;
    EXPECT_EQ(array.shape, b.arrays.at(path).shape) << path;
    EXPECT_EQ(array.values, b.arrays.at(path).values) << path;
  }
}

/// Overwrites dataset `path` of checkpoint `file` with `values`, as a bad disk or a careless
/// user might, leaving the stored checksum as it was.
void overwrite_dataset(const std::string& file, const std::string& path,
                       const std::vector<float>& values) {
  h5::FileId id(H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  ASSERT_TRUE(id.valid());
  {
    h5::ObjectId dataset(H5Dopen2(id.get(), path.c_str(), H5P_DEFAULT));
    ASSERT_TRUE(dataset.valid());
    ASSERT_GE(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       values.data()),
              0);
  }
  ASSERT_GE(id.close(), 0);
}

std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no IoError)";
}

TEST(CheckpointPath, NamesOneFilePerEpochAndRecognizesOnlyThose) {
  EXPECT_EQ(checkpoint_file("runs/x/checkpoints/trial_7", 12), "runs/x/checkpoints/trial_7.e12.h5");
  EXPECT_EQ(checkpoint_epoch_of("runs/x/checkpoints/trial_7", "trial_7.e12.h5"), 12);
  EXPECT_EQ(checkpoint_epoch_of("runs/x/checkpoints/trial_7", "trial_7.e12.h5.tmp"), std::nullopt);
  EXPECT_EQ(checkpoint_epoch_of("runs/x/checkpoints/trial_7", "trial_71.e12.h5"), std::nullopt);
  EXPECT_EQ(checkpoint_epoch_of("runs/x/checkpoints/trial_7", "trial_7.e.h5"), std::nullopt);
  EXPECT_EQ(checkpoint_epoch_of("trial_7", "trial_7.e3x.h5"), std::nullopt);
}

TEST(CheckpointFile, RoundTripsEveryArrayAndAttribute) {
  TempDir dir;
  const std::string path = dir.file("sub/folder/trial_12.e7.h5");
  write_checkpoint(path, sample());
  expect_equal(read_checkpoint(path), sample());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));

  // The documented attributes, as h5py would see them.
  const h5::File file = h5::File::open_read_only(path);
  const h5::Group root = file.root();
  EXPECT_EQ(h5::read_string_attribute(root, "format"), "rungs-checkpoint");
  EXPECT_EQ(h5::read_int_attribute(root, "format_version"), 1);
  EXPECT_EQ(h5::read_int_attribute(root, "epoch"), 7);
  EXPECT_EQ(h5::read_uint_attribute(root, "checksum"), checkpoint_checksum(sample()));
}

TEST(CheckpointFile, ReplacesAnExistingFileWhole) {
  TempDir dir;
  const std::string path = dir.file("c.h5");
  write_checkpoint(path, sample());
  CheckpointData other = sample();
  other.epoch = 8;
  other.arrays.erase("model/scalar");
  write_checkpoint(path, other);
  expect_equal(read_checkpoint(path), other);
}

TEST(CheckpointFile, AChangedValueFailsTheChecksumNamingTheFile) {
  TempDir dir;
  const std::string path = dir.file("c.h5");
  write_checkpoint(path, sample());
  overwrite_dataset(path, "/model/1.bias", {-0.5f, 0.2500001f});
  const std::string message = message_of([&] { read_checkpoint(path); });
  EXPECT_NE(message.find(path + ": checksum mismatch"), std::string::npos) << message;

  // The step of the optimizer is covered as well: it drives Adam's bias correction.
  CheckpointData stepped = sample();
  stepped.optimizer_step += 1;
  EXPECT_NE(checkpoint_checksum(stepped), checkpoint_checksum(sample()));
}

TEST(CheckpointFile, ATruncatedOrMissingFileIsAnIoErrorNamingIt) {
  TempDir dir;
  const std::string path = dir.file("c.h5");
  write_checkpoint(path, sample());
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  const std::string truncated = message_of([&] { read_checkpoint(path); });
  EXPECT_NE(truncated.find(path), std::string::npos) << truncated;
  EXPECT_NE(truncated, "(no IoError)");

  const std::string missing = message_of([&] { read_checkpoint(dir.file("gone.h5")); });
  EXPECT_NE(missing.find(dir.file("gone.h5") + ": the checkpoint file does not exist"),
            std::string::npos)
      << missing;
}

TEST(CheckpointFile, AnotherHdf5FileIsNotACheckpoint) {
  TempDir dir;
  const std::string path = dir.file("other.h5");
  {
    h5::File file = h5::File::create(path);
    file.close();
  }
  const std::string message = message_of([&] { read_checkpoint(path); });
  EXPECT_NE(message.find(path + ": not a rungs checkpoint"), std::string::npos) << message;
}

TEST(CheckpointFile, AFailedWriteLeavesTheOldFile) {
  TempDir dir;
  const std::string path = dir.file("c.h5");
  write_checkpoint(path, sample());
  CheckpointData bad = sample();
  bad.arrays["model/1.bias"].values.push_back(1.0f);  // more values than its shape holds
  EXPECT_THROW(write_checkpoint(path, bad), IoError);
  expect_equal(read_checkpoint(path), sample());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace rungs
