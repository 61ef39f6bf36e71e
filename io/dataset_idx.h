#pragma once
/// Reading image data sets stored as IDX files (the format of MNIST and Fashion-MNIST),
/// gzipped or not. Pure C++ (zlib only): no LibTorch, no HDF5. Every error is an IoError
/// naming the file and what is wrong with it.
#include <cstdint>
#include <string>
#include <vector>

namespace rungs {

/// The contents of one IDX file of unsigned bytes: its dimensions and its data, row-major.
struct IdxArray {
  std::vector<std::uint32_t> dims;
  std::vector<std::uint8_t> data;  ///< product(dims) bytes
};

/// Reads an IDX file of unsigned bytes (type 0x08), gzipped or plain. Throws IoError
/// "FILE: WHAT" when the file cannot be read, its magic is wrong, it holds another element
/// type, or its data is shorter (truncated) or longer than its dimensions say.
IdxArray read_idx(const std::string& path);

/// Images with their class labels; image i is images[i*rows*cols ...] (pixels 0..255).
struct ImageSplit {
  std::int64_t count = 0;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::uint8_t> images;
  std::vector<std::uint8_t> labels;  ///< 0..classes-1
};

/// Fashion-MNIST with the fixed split rungs uses: `train` is the first 50,000 of the 60,000
/// training images, `validation` the last 10,000 of them, and `test` the 10,000 t10k images.
struct FashionMnist {
  static constexpr int kClasses = 10;
  static constexpr std::int64_t kTrain = 50000;
  static constexpr std::int64_t kValidation = 10000;
  ImageSplit train;
  ImageSplit validation;
  ImageSplit test;
};

/// Loads DIR/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz and checks that the images
/// are 28x28, that image and label counts agree, and that every label is below 10.
FashionMnist load_fashion_mnist(const std::string& dir);

}  // namespace rungs
