#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "io/array_file.h"
#include "io/user_data.h"
#include "study/errors.h"

namespace rungs {
namespace {

const std::string kData = RUNGS_TEST_DATA_DIR;

/// An .npy file's bytes: version 1 header `header` (padded as numpy pads), then `payload`.
std::string npy(const std::string& header, const std::string& payload) {
  std::string h = header;
  while ((10 + h.size() + 1) % 64 != 0) h += ' ';
  h += '\n';
  std::string out = "\x93NUMPY";
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h + payload;
}

std::string bytes_of(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Npy, ReadsShapeAndFloatValues) {
  const NumericArray a =
      parse_npy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                    bytes_of({0, 1, 2, 3, 4, 5.5f})),
                "a.npy");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.values.back(), 5.5);
  EXPECT_FALSE(a.integral);
}

TEST(Npy, ReadsByteLabelsAsIntegers) {
  const NumericArray a = parse_npy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                       std::string("\x02\x00\xff", 3)),
                                   "y.npy");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{3}));
  EXPECT_EQ(a.values, (std::vector<double>{2, 0, 255}));
  EXPECT_TRUE(a.integral);
}

TEST(Npy, RefusesFortranOrderBigEndianAndTruncation) {
  EXPECT_NE(error_of([] {
              parse_npy(
                  npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", bytes_of({1})),
                  "f.npy");
            }).find("f.npy: is stored in Fortran order"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_npy(
                  npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", bytes_of({1})),
                  "b.npy");
            }).find("b.npy: has dtype >f4"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_npy(
                  npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", bytes_of({1})),
                  "t.npy");
            }).find("truncated"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              parse_npy("PK\x03\x04 not numpy", "z.npy");
            }).find("z.npy: is not an .npy array"),
            std::string::npos);
}

TEST(Npz, ReadsStoredAndDeflatedMembers) {
  for (const char* name : {"/arrays_stored.npz", "/arrays_deflated.npz"}) {
    const NumericArray x = read_npz_member(kData + name, "x");
    EXPECT_EQ(x.shape, (std::vector<std::int64_t>{2, 3})) << name;
    EXPECT_EQ(x.values, (std::vector<double>{0, 0.5, 1, 1.5, 2, 2.5})) << name;
    const NumericArray y = read_npz_member(kData + name, "y.npy");
    EXPECT_EQ(y.values, (std::vector<double>{1, 0})) << name;
    EXPECT_TRUE(y.integral);
  }
  EXPECT_NE(error_of([] {
              read_npz_member(kData + "/arrays_stored.npz", "labels");
            }).find("arrays_stored.npz: labels: no such array in the .npz file"),
            std::string::npos);
}

TEST(Hdf5, ConvertsIntegerAndFloatTypes) {
  const std::string file = kData + "/arrays.h5";
  EXPECT_EQ(read_hdf5_array(file, "/train/x").values, (std::vector<double>{-3, 7, 100, -128}));
  EXPECT_EQ(read_hdf5_array(file, "/train/y").values, (std::vector<double>{65535, 2}));
  EXPECT_EQ(read_hdf5_array(file, "/train/f64").values, (std::vector<double>{0.1, 1e300}));
  EXPECT_NE(error_of([&] {
              read_hdf5_array(file, "/train/text");
            }).find("/train/text: is not a numeric dataset"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { read_hdf5_array(file, "/val/x"); }).find("arrays.h5: /val/x: no such dataset"),
      std::string::npos);
  EXPECT_NE(
      error_of([&] { read_hdf5_array(kData + "/none.h5", "/x"); }).find("none.h5: no such file"),
      std::string::npos);
}

TEST(ValidationRows, FixedDisjointAndSized) {
  const std::vector<std::int64_t> rows = validation_rows(1000, 0.1);
  EXPECT_EQ(rows.size(), 100u);
  EXPECT_EQ(rows, validation_rows(1000, 0.1));
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end()));
  EXPECT_NE(rows.back(), 99);  // drawn from the whole set, not its first rows
}

}  // namespace
}  // namespace rungs
