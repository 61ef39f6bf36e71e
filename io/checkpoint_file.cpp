#include "io/checkpoint_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include "io/h5_attribute.h"
#include "io/study_file_atomic.h"
#include "study/errors.h"

namespace rungs {
namespace {

static_assert(sizeof(float) == 4, "checkpoints hold float32");

class Crc32 {
 public:
  void add(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const Bytef*>(data);
    // crc32 takes a uInt length; feed large arrays in pieces.
    while (size > 0) {
      const auto piece = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
      crc_ = crc32(crc_, bytes, piece);
      bytes += piece;
      size -= piece;
    }
  }
  void add_int(std::int64_t value) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(value) >> (8 * i));
    add(bytes, sizeof bytes);
  }
  std::uint32_t value() const { return static_cast<std::uint32_t>(crc_); }

 private:
  uLong crc_ = crc32(0L, Z_NULL, 0);
};

bool little_endian() {
  const std::uint32_t one = 1;
  unsigned char first = 0;
  std::memcpy(&first, &one, 1);
  return first == 1;
}

/// The path split at '/', checked: no empty components.
std::vector<std::string> components(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (true) {
    const std::size_t slash = path.find('/', begin);
    parts.push_back(path.substr(begin, slash == std::string::npos ? slash : slash - begin));
    if (parts.back().empty())
      throw IoError("checkpoint array path '" + path + "' has an empty part");
    if (slash == std::string::npos) break;
    begin = slash + 1;
  }
  return parts;
}

/// The bytes of the checkpoint file for `data`, built in memory.
std::vector<std::uint8_t> contents(const std::string& file_name, const CheckpointData& data) {
  h5::File file = h5::File::create_in_memory(file_name);
  {
    const h5::Group root = file.root();
    h5::write_string_attribute(root, "format", kCheckpointFormat);
    h5::write_int_attribute(root, "format_version", kCheckpointFormatVersion);
    h5::write_int_attribute(root, "epoch", data.epoch);
    h5::write_int_attribute(root, "trial_id", data.trial_id);
    h5::write_uint_attribute(root, "seed", data.seed);
    h5::write_uint_attribute(root, "checksum", checkpoint_checksum(data));
    // Both groups always exist, so that a reader can rely on them.
    root.create_group("model");
    const h5::Group optimizer = root.create_group("optimizer");
    h5::write_string_attribute(optimizer, "kind", data.optimizer);
    h5::write_int_attribute(optimizer, "step", data.optimizer_step);
    for (const auto& [path, array] : data.arrays) {
      const std::vector<std::string> parts = components(path);
      h5::Group group = file.root();
      for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        group = group.has(parts[i]) ? group.open_group(parts[i]) : group.create_group(parts[i]);
      }
      h5::write_float_array(group, parts.back(), array);
    }
  }
  return file.close_to_image();
}

/// Adds every float dataset under `group` (recursively) to `arrays` as "prefix/name".
void read_arrays(const h5::Group& group, const std::string& prefix,
                 std::map<std::string, h5::FloatArray>& arrays) {
  for (const std::string& name : group.children()) {
    const std::string path = prefix + "/" + name;
    if (h5::is_group(group, name)) {
      read_arrays(group.open_group(name), path, arrays);
    } else {
      arrays.emplace(path, h5::read_float_array(group, name));
    }
  }
}

}  // namespace

std::uint32_t checkpoint_checksum(const CheckpointData& data) {
  static const bool little = little_endian();
  Crc32 crc;
  for (const auto& [path, array] : data.arrays) {
    crc.add(path.c_str(), path.size() + 1);
    crc.add_int(static_cast<std::int64_t>(array.shape.size()));
    for (const std::int64_t d : array.shape) crc.add_int(d);
    if (little) {
      crc.add(array.values.data(), array.values.size() * sizeof(float));
    } else {
      for (const float v : array.values) {
        std::uint32_t bits = 0;
        std::memcpy(&bits, &v, sizeof bits);
        crc.add_int(bits);  // not the documented layout; no big-endian target is supported
      }
    }
  }
  crc.add_int(data.optimizer_step);
  return crc.value();
}

void write_checkpoint(const std::string& path, const CheckpointData& data) {
  const std::filesystem::path target(path);
  if (target.has_parent_path()) create_folders_durably(target.parent_path().string());
  replace_file_atomically(path, contents(path, data), "checkpoint.before_rename");
}

CheckpointData read_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw IoError(path + ": the checkpoint file does not exist");
  h5::File file = h5::File::open_read_only(path);
  CheckpointData data;
  std::uint64_t stored = 0;
  {
    const h5::Group root = file.root();
    if (!h5::has_attribute(root, "format") ||
        h5::read_string_attribute(root, "format") != kCheckpointFormat)
      throw IoError(path + ": not a rungs checkpoint (no format = \"" +
                    std::string(kCheckpointFormat) + "\")");
    const std::int64_t version = h5::read_int_attribute(root, "format_version");
    if (version != kCheckpointFormatVersion)
      throw IoError(path + ": checkpoint format_version " + std::to_string(version) +
                    " is not known (this build reads " +
                    std::to_string(kCheckpointFormatVersion) + ")");
    data.epoch = static_cast<int>(h5::read_int_attribute(root, "epoch"));
    data.trial_id = h5::read_int_attribute(root, "trial_id");
    data.seed = h5::read_uint_attribute(root, "seed");
    stored = h5::read_uint_attribute(root, "checksum");
    const h5::Group optimizer = root.open_group("optimizer");
    data.optimizer = h5::read_string_attribute(optimizer, "kind");
    data.optimizer_step = h5::read_int_attribute(optimizer, "step");
    read_arrays(root.open_group("model"), "model", data.arrays);
    read_arrays(optimizer, "optimizer", data.arrays);
  }
  file.close();
  const std::uint32_t computed = checkpoint_checksum(data);
  if (stored != computed)
    throw IoError(path + ": checksum mismatch (stored " + std::to_string(stored) + ", computed " +
                  std::to_string(computed) + "): the checkpoint is damaged");
  return data;
}

}  // namespace rungs
