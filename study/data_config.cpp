#include "study/data_config.h"

#include <filesystem>

#include "study/data_fields.h"

namespace rungs {

std::string to_string(Task task) {
  return task == Task::Regression ? "regression" : "classification";
}

namespace yaml_fields {
namespace {

std::string resolved(const std::string& name, const std::string& folder) {
  const std::filesystem::path p(name);
  return p.is_absolute() || folder.empty() ? name : (std::filesystem::path(folder) / p).string();
}

DataArrays parse_arrays(const Field& f, bool npy, const std::string& folder) {
  f.require_map();
  f.only_keys({"x", "y"});
  DataArrays a;
  for (auto [key, out] : {std::pair{"x", &a.x}, std::pair{"y", &a.y}}) {
    const Field c = f.child(key);
    if (!c.present())
      c.fail("is required: the " + std::string(npy ? ".npy file" : "dataset") + " of the " +
             (key == std::string("x") ? "inputs" : "targets"));
    *out = npy ? resolved(c.as_string(), folder) : c.as_string();
    if (out->empty()) c.fail("is empty");
  }
  return a;
}

}  // namespace

DataConfig parse_data(const Field& f, const std::string& study_file) {
  f.require_map();
  f.only_keys({"file", "train", "val", "test", "val_fraction"});
  DataConfig d;
  d.folder = std::filesystem::path(study_file).parent_path().string();
  d.where = f.file + ": " + f.path;
  if (f.child("file").present()) {
    d.file = resolved(f.child("file").as_string(), d.folder);
    if (d.file.empty()) f.child("file").fail("is empty");
  }
  const bool npy = d.file.empty();
  if (!f.child("train").present())
    f.child("train").fail("is required: {x: ..., y: ...}, the training inputs and targets");
  d.train = parse_arrays(f.child("train"), npy, d.folder);
  const Field val = f.child("val"), fraction = f.child("val_fraction");
  if (val.present() && fraction.present())
    fraction.fail("is given with " + val.path + "; give one of them");
  if (!val.present() && !fraction.present())
    val.fail("is required, or " + fraction.path + ": a share of the training set held out");
  if (val.present()) d.val = parse_arrays(val, npy, d.folder);
  if (fraction.present()) {
    d.val_fraction = fraction.as_double();
    if (!(d.val_fraction > 0.0 && d.val_fraction < 1.0))
      fraction.fail("must be between 0 and 1 (exclusive)");
  }
  if (f.child("test").present()) d.test = parse_arrays(f.child("test"), npy, d.folder);
  return d;
}

Task parse_task(const Field& f) {
  if (!f.present()) return Task::Classification;
  const std::string t = f.as_string();
  if (t == "classification") return Task::Classification;
  if (t == "regression") return Task::Regression;
  f.fail("must be classification or regression");
}

}  // namespace yaml_fields
}  // namespace rungs
