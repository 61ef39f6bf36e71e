#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "io/dataset_idx.h"
#include "study/errors.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

const std::string kFashionDir = "/usr/share/datasets/fashion-mnist";

void write_gz(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

/// An IDX header for unsigned bytes with `dims`, then `data`.
std::vector<std::uint8_t> idx_bytes(const std::vector<std::uint32_t>& dims,
                                    const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> bytes = {0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims)
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<std::uint8_t>(d >> shift));
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

std::string error_of(const std::string& path) {
  try {
    read_idx(path);
  } catch (const IoError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(DatasetIdx, ReadsDimsAndData) {
  testing::TempDir dir;
  const std::vector<std::uint8_t> data = {1, 2, 3, 4, 5, 6};
  write_gz(dir.file("good.gz"), idx_bytes({2, 3}, data));
  const IdxArray array = read_idx(dir.file("good.gz"));
  EXPECT_EQ(array.dims, (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(array.data, data);
}

TEST(DatasetIdx, RejectsWrongMagicNamingTheFile) {
  testing::TempDir dir;
  std::vector<std::uint8_t> bytes = idx_bytes({2}, {7, 8});
  bytes[0] = 0x1f;
  write_gz(dir.file("magic.gz"), bytes);
  const std::string error = error_of(dir.file("magic.gz"));
  EXPECT_NE(error.find(dir.file("magic.gz") + ": not an IDX file"), std::string::npos) << error;
}

TEST(DatasetIdx, RejectsOtherElementTypes) {
  testing::TempDir dir;
  std::vector<std::uint8_t> bytes = idx_bytes({1}, {0, 0, 0, 0});
  bytes[2] = 0x0d;  // float
  write_gz(dir.file("float.gz"), bytes);
  EXPECT_NE(error_of(dir.file("float.gz")).find("is not unsigned byte"), std::string::npos);
}

TEST(DatasetIdx, RejectsTruncatedData) {
  testing::TempDir dir;
  write_gz(dir.file("short.gz"), idx_bytes({4, 3}, {1, 2, 3, 4, 5}));
  const std::string error = error_of(dir.file("short.gz"));
  EXPECT_NE(error.find(dir.file("short.gz") + ": truncated"), std::string::npos) << error;
  EXPECT_NE(error.find("need 12 bytes of data, found 5"), std::string::npos) << error;
}

TEST(DatasetIdx, RejectsTruncatedHeader) {
  testing::TempDir dir;
  write_gz(dir.file("header.gz"), {0, 0, 8, 3, 0, 0});
  EXPECT_NE(error_of(dir.file("header.gz")).find("truncated"), std::string::npos);
}

TEST(DatasetIdx, RejectsDataBeyondTheDims) {
  testing::TempDir dir;
  write_gz(dir.file("long.gz"), idx_bytes({2}, {1, 2, 3}));
  EXPECT_NE(error_of(dir.file("long.gz")).find("more data than dimensions 2 say"),
            std::string::npos);
}

TEST(DatasetIdx, RejectsAMissingFile) {
  testing::TempDir dir;
  EXPECT_NE(error_of(dir.file("none.gz")).find("none.gz: cannot open"), std::string::npos);
}

TEST(DatasetIdx, LoadsFashionMnistWithTheFixedSplit) {
  const FashionMnist data = load_fashion_mnist(kFashionDir);
  EXPECT_EQ(data.train.count, 50000);
  EXPECT_EQ(data.validation.count, 10000);
  EXPECT_EQ(data.test.count, 10000);
  for (const ImageSplit* split : {&data.train, &data.validation, &data.test}) {
    EXPECT_EQ(split->rows, 28);
    EXPECT_EQ(split->cols, 28);
    EXPECT_EQ(split->images.size(), static_cast<std::size_t>(split->count * 28 * 28));
    ASSERT_EQ(split->labels.size(), static_cast<std::size_t>(split->count));
    EXPECT_EQ(*std::max_element(split->labels.begin(), split->labels.end()), 9);
    EXPECT_EQ(*std::min_element(split->labels.begin(), split->labels.end()), 0);
  }
  // The validation split is the last 10,000 training images: the 60,000 labels read
  // directly end with the validation labels.
  const IdxArray labels = read_idx(kFashionDir + "/train-labels-idx1-ubyte.gz");
  ASSERT_EQ(labels.data.size(), 60000u);
  EXPECT_TRUE(std::equal(data.validation.labels.begin(), data.validation.labels.end(),
                         labels.data.begin() + 50000));
  EXPECT_TRUE(std::equal(data.train.labels.begin(), data.train.labels.end(), labels.data.begin()));
}

TEST(DatasetIdx, LoadingFromAnotherDirectoryNamesTheFile) {
  testing::TempDir dir;
  try {
    load_fashion_mnist(dir.file(""));
    FAIL() << "no error";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("train-images-idx3-ubyte.gz: cannot open"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace rungs
