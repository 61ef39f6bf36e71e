#include "io/user_data.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "io/h5.h"
#include "io/h5_array.h"
#include "study/errors.h"

namespace rungs {
namespace {

/// Where an array came from, for messages: "FILE: DATASET" (or the .npy file).
struct Source {
  std::string file, name;
  std::string text() const { return file.empty() ? name : file + ": " + name; }
  [[noreturn]] void fail(const std::string& what) const { throw ConfigError(text() + ": " + what); }
};

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

UserSplit read_split(const DataConfig& data, const DataArrays& arrays, Task task) {
  const Source xs{data.file, arrays.x}, ys{data.file, arrays.y};
  UserSplit s{read_array(data.file, arrays.x), read_array(data.file, arrays.y)};
  const auto rank = s.x.shape.size();
  if (rank != 2 && rank != 3 && rank != 4)
    xs.fail("has shape " + shape_text(s.x.shape) +
            "; inputs must be [N, D] features or [N, H, W] / [N, C, H, W] images");
  if (s.y.shape.empty() || s.y.shape.size() > (task == Task::Regression ? 2u : 1u))
    ys.fail("has shape " + shape_text(s.y.shape) + "; targets must be " +
            (task == Task::Regression ? "[N] or [N, K]" : "[N] class labels"));
  if (s.y.shape[0] != s.x.shape[0])
    ys.fail("has " + std::to_string(s.y.shape[0]) + " rows and " + arrays.x + " has " +
            std::to_string(s.x.shape[0]) + "; x and y must have the same length");
  if (s.x.shape[0] == 0) xs.fail("is empty");
  for (std::size_t i = 0; i < s.x.values.size(); ++i) {
    if (!std::isfinite(s.x.values[i]))
      xs.fail("holds " + std::string(std::isnan(s.x.values[i]) ? "NaN" : "Inf") + " at value " +
              std::to_string(i) + " (inputs must be finite)");
  }
  for (std::size_t i = 0; i < s.y.values.size(); ++i) {
    const double v = s.y.values[i];
    if (!std::isfinite(v)) ys.fail("holds a non-finite target at row " + std::to_string(i));
    if (task == Task::Classification && (v != std::floor(v) || v < 0))
      ys.fail("holds " + std::to_string(v) + " at row " + std::to_string(i) +
              "; class labels must be integers >= 0");
  }
  if (task == Task::Regression && s.y.shape.size() == 1) s.y.shape.push_back(1);
  return s;
}

/// Keeps `rows` (ascending) of `from`, or all but them when `keep` is false.
UserSplit take_rows(const UserSplit& from, const std::vector<std::int64_t>& rows, bool keep) {
  const std::int64_t n = from.size();
  std::vector<char> chosen(static_cast<std::size_t>(n), !keep);
  for (std::int64_t r : rows) chosen[static_cast<std::size_t>(r)] = keep;
  UserSplit out;
  for (auto [src, dst] : {std::pair{&from.x, &out.x}, std::pair{&from.y, &out.y}}) {
    const std::size_t stride = src->values.size() / static_cast<std::size_t>(n);
    dst->shape = src->shape;
    dst->integral = src->integral;
    dst->shape[0] = 0;
    for (std::int64_t r = 0; r < n; ++r) {
      if (!chosen[static_cast<std::size_t>(r)]) continue;
      const auto begin = src->values.begin() + static_cast<std::ptrdiff_t>(r * stride);
      dst->values.insert(dst->values.end(), begin, begin + static_cast<std::ptrdiff_t>(stride));
      ++dst->shape[0];
    }
  }
  return out;
}

void check_labels(const UserSplit& split, std::int64_t classes, const Source& ys) {
  for (std::size_t i = 0; i < split.y.values.size(); ++i) {
    if (split.y.values[i] >= static_cast<double>(classes))
      ys.fail("holds label " + std::to_string(static_cast<std::int64_t>(split.y.values[i])) +
              " at row " + std::to_string(i) + ", outside the training labels' classes 0.." +
              std::to_string(classes - 1));
  }
}

/// Mean and standard deviation per feature of [N, D], per channel of [N, C, H, W] (one
/// channel for [N, H, W]).
void normalization_of(UserData& d) {
  const NumericArray& x = d.train.x;
  const std::int64_t n = x.shape[0];
  const std::int64_t groups = x.shape.size() == 2   ? x.shape[1]
                              : x.shape.size() == 4 ? x.shape[1]
                                                    : 1;
  const std::int64_t per_row = static_cast<std::int64_t>(x.values.size()) / n;
  const std::int64_t run = x.shape.size() == 2 ? 1 : per_row / groups;  // values per group per row
  std::vector<double> sum(static_cast<std::size_t>(groups)), sq(sum);
  for (std::size_t i = 0; i < x.values.size(); ++i) {
    const auto g = static_cast<std::size_t>((static_cast<std::int64_t>(i) % per_row) / run);
    sum[g] += x.values[i];
    sq[g] += x.values[i] * x.values[i];
  }
  const double count = static_cast<double>(n * run);
  for (std::int64_t g = 0; g < groups; ++g) {
    const double mean = sum[g] / count;
    const double var = std::max(sq[g] / count - mean * mean, 0.0);
    d.mean.push_back(mean);
    d.std.push_back(var > 1e-12 ? std::sqrt(var) : 1.0);
  }
}

}  // namespace

std::vector<std::int64_t> validation_rows(std::int64_t n, double fraction) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  // Fisher-Yates with a fixed splitmix64 stream: the split depends on n and fraction only.
  std::uint64_t state = 0x5eed5eed5eed5eedULL;
  const auto next = [&state] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  for (std::int64_t i = n - 1; i > 0; --i)
    std::swap(order[static_cast<std::size_t>(i)],
              order[static_cast<std::size_t>(next() % static_cast<std::uint64_t>(i + 1))]);
  const auto held = std::clamp<std::int64_t>(std::llround(fraction * static_cast<double>(n)), 1,
                                             std::max<std::int64_t>(n - 1, 1));
  std::vector<std::int64_t> rows(order.begin(), order.begin() + held);
  std::sort(rows.begin(), rows.end());
  return rows;
}

UserData load_user_data(const DataConfig& data, Task task) {
  UserData d;
  d.train = read_split(data, data.train, task);
  if (data.val.present()) {
    d.val = read_split(data, data.val, task);
  } else {
    if (d.train.size() < 2)
      Source{data.file, data.train.x}.fail("has 1 row; val_fraction needs at least 2");
    const std::vector<std::int64_t> rows = validation_rows(d.train.size(), data.val_fraction);
    d.val = take_rows(d.train, rows, true);
    d.train = take_rows(d.train, rows, false);
  }
  if (data.test.present()) d.test = read_split(data, data.test, task);
  d.sample_shape.assign(d.train.x.shape.begin() + 1, d.train.x.shape.end());
  for (const auto* other : {&data.val, &data.test}) {
    if (!other->present()) continue;
    const UserSplit& s = other == &data.val ? d.val : d.test;
    const std::vector<std::int64_t> shape(s.x.shape.begin() + 1, s.x.shape.end());
    if (shape != d.sample_shape)
      Source{data.file, other->x}.fail("has samples of shape " + shape_text(shape) + ", " +
                                       data.train.x + " has " + shape_text(d.sample_shape));
    if (task == Task::Regression && s.y.shape[1] != d.train.y.shape[1])
      Source{data.file, other->y}.fail("has " + std::to_string(s.y.shape[1]) +
                                       " targets per row, " + data.train.y + " has " +
                                       std::to_string(d.train.y.shape[1]));
  }
  normalization_of(d);
  if (task == Task::Regression) {
    d.outputs = d.train.y.shape[1];
    return d;
  }
  const double top = *std::max_element(d.train.y.values.begin(), d.train.y.values.end());
  d.outputs = static_cast<std::int64_t>(top) + 1;
  if (d.outputs < 2)
    Source{data.file, data.train.y}.fail(
        "holds one class only (0); classification needs two or more");
  check_labels(d.val, d.outputs, Source{data.file, data.val.present() ? data.val.y : data.train.y});
  if (data.test.present()) check_labels(d.test, d.outputs, Source{data.file, data.test.y});
  return d;
}

std::vector<std::int64_t> check_user_data(const ObjectiveConfig& objective) {
  const UserData d = load_user_data(*objective.data, objective.task);
  const auto& shape = d.sample_shape;
  const bool image =
      shape.size() >= 2 && shape[shape.size() - 1] >= 4 && shape[shape.size() - 2] >= 4;
  if (objective.model == "cnn" && !image)
    Source{objective.data->file, objective.data->train.x}.fail(
        "has samples of shape " + shape_text(shape) +
        "; model cnn needs images [N, C, H, W] or [N, H, W] of at least 4x4 pixels (mlp takes any "
        "shape)");
  return shape;
}

void write_normalization(const std::string& path, const UserData& d) {
  h5::File file = h5::File::create(path);
  {
    const h5::Group root = file.root();
    for (auto [name, values] : {std::pair{"mean", &d.mean}, std::pair{"std", &d.std}}) {
      h5::FloatArray a;
      a.shape = {static_cast<std::int64_t>(values->size())};
      a.values.assign(values->begin(), values->end());
      h5::write_float_array(root, name, a);
    }
  }
  file.close();
}

}  // namespace rungs
