#include "io/dataset_idx.h"

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "study/errors.h"

namespace rungs {
namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;
constexpr int kMaxDims = 8;
constexpr std::uint64_t kMaxBytes = std::uint64_t{1} << 34;

struct GzCloser {
  void operator()(gzFile file) const noexcept { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError(path + ": " + what);
}

/// Reads up to `size` bytes; returns how many were read (fewer only at the end of the data).
std::uint64_t read_some(gzFile file, const std::string& path, std::uint8_t* out,
                        std::uint64_t size) {
  std::uint64_t done = 0;
  while (done < size) {
    const auto chunk = static_cast<unsigned>(std::min<std::uint64_t>(size - done, 1u << 30));
    const int got = gzread(file, out + done, chunk);
    if (got < 0) {
      int code = 0;
      const char* message = gzerror(file, &code);
      fail(path, std::string("cannot decompress: ") + (message ? message : "unknown error"));
    }
    if (got == 0) break;
    done += static_cast<std::uint64_t>(got);
  }
  return done;
}

std::uint32_t big_endian(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
         (std::uint32_t{bytes[2]} << 8) | std::uint32_t{bytes[3]};
}

std::string dims_text(const std::vector<std::uint32_t>& dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) text += (i ? "x" : "") + std::to_string(dims[i]);
  return text;
}

ImageSplit images_and_labels(IdxArray images, const std::string& images_path, IdxArray labels,
                             const std::string& labels_path) {
  if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
    fail(images_path, "expected Nx28x28 images, found " + dims_text(images.dims));
  if (labels.dims.size() != 1)
    fail(labels_path, "expected N labels, found " + dims_text(labels.dims));
  if (labels.dims[0] != images.dims[0])
    fail(labels_path, std::to_string(labels.dims[0]) + " labels for " +
                          std::to_string(images.dims[0]) + " images in " + images_path);
  const auto bad = std::find_if(labels.data.begin(), labels.data.end(),
                                [](std::uint8_t label) { return label >= FashionMnist::kClasses; });
  if (bad != labels.data.end())
    fail(labels_path, "label " + std::to_string(*bad) + " at index " +
                          std::to_string(bad - labels.data.begin()) + " is not below 10");
  ImageSplit split;
  split.count = images.dims[0];
  split.rows = images.dims[1];
  split.cols = images.dims[2];
  split.images = std::move(images.data);
  split.labels = std::move(labels.data);
  return split;
}

/// Images [begin, begin + count) of `all`.
ImageSplit slice(const ImageSplit& all, std::int64_t begin, std::int64_t count) {
  ImageSplit part;
  part.count = count;
  part.rows = all.rows;
  part.cols = all.cols;
  const std::int64_t pixels = all.rows * all.cols;
  part.images.assign(all.images.begin() + begin * pixels,
                     all.images.begin() + (begin + count) * pixels);
  part.labels.assign(all.labels.begin() + begin, all.labels.begin() + begin + count);
  return part;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) fail(path, "cannot open");
  gzbuffer(file.get(), 1u << 20);

  std::uint8_t magic[4];
  if (read_some(file.get(), path, magic, 4) != 4) fail(path, "truncated: no IDX header");
  if (magic[0] != 0 || magic[1] != 0 || magic[3] == 0 || magic[3] > kMaxDims)
    fail(path, "not an IDX file (magic " + std::to_string(big_endian(magic)) + ")");
  if (magic[2] != kUnsignedByte)
    fail(path, "IDX element type " + std::to_string(magic[2]) + " is not unsigned byte (8)");

  IdxArray array;
  std::uint64_t size = 1;
  for (int i = 0; i < magic[3]; ++i) {
    std::uint8_t bytes[4];
    if (read_some(file.get(), path, bytes, 4) != 4) fail(path, "truncated: in the dimensions");
    array.dims.push_back(big_endian(bytes));
    size *= array.dims.back();
    if (size > kMaxBytes) fail(path, "implausible dimensions " + dims_text(array.dims));
  }
  array.data.resize(size);
  const std::uint64_t got = read_some(file.get(), path, array.data.data(), size);
  if (got != size)
    fail(path, "truncated: dimensions " + dims_text(array.dims) + " need " + std::to_string(size) +
                   " bytes of data, found " + std::to_string(got));
  std::uint8_t extra = 0;
  if (read_some(file.get(), path, &extra, 1) != 0)
    fail(path, "more data than dimensions " + dims_text(array.dims) + " say");
  return array;
}

FashionMnist load_fashion_mnist(const std::string& dir) {
  const auto read_split = [&dir](const std::string& prefix) {
    const std::string images_path = dir + "/" + prefix + "-images-idx3-ubyte.gz";
    const std::string labels_path = dir + "/" + prefix + "-labels-idx1-ubyte.gz";
    IdxArray images = read_idx(images_path);
    IdxArray labels = read_idx(labels_path);
    return images_and_labels(std::move(images), images_path, std::move(labels), labels_path);
  };
  const ImageSplit all_train = read_split("train");
  if (all_train.count != FashionMnist::kTrain + FashionMnist::kValidation)
    fail(dir + "/train-images-idx3-ubyte.gz",
         std::to_string(all_train.count) + " images, expected 60000");

  FashionMnist data;
  data.train = slice(all_train, 0, FashionMnist::kTrain);
  data.validation = slice(all_train, FashionMnist::kTrain, FashionMnist::kValidation);
  data.test = read_split("t10k");
  return data;
}

}  // namespace rungs
