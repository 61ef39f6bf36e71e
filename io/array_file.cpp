#include "io/array_file.h"

#include <hdf5.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "io/h5.h"
#include "study/errors.h"

namespace rungs {
namespace {

[[noreturn]] void bad(const std::string& file, const std::string& name, const std::string& what) {
  throw ConfigError(file + (name.empty() ? "" : ": " + name) + ": " + what);
}

std::string read_whole(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) bad(file, "", "no such file");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) bad(file, "", "cannot be read");
  return text.str();
}

template <class T>
void convert(const char* data, std::size_t count, std::vector<double>& out) {
  out.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    T v;
    std::memcpy(&v, data + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
}

std::uint32_t le32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}
std::uint16_t le16(const std::string& b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    (static_cast<unsigned char>(b[at + 1]) << 8));
}

}  // namespace

NumericArray parse_npy(const std::string& b, const std::string& file, const std::string& name) {
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) bad(file, name, "is not an .npy array");
  const int major = static_cast<unsigned char>(b[6]);
  std::size_t header_len = 0, start = 0;
  if (major == 1) {
    header_len = le16(b, 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) bad(file, name, "has a truncated .npy header");
    header_len = le32(b, 8);
    start = 12;
  } else {
    bad(file, name, "has .npy format version " + std::to_string(major) + " (known: 1, 2, 3)");
  }
  if (start + header_len > b.size()) bad(file, name, "has a truncated .npy header");
  const std::string header = b.substr(start, header_len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')")))
    bad(file, name, "has an .npy header without 'descr'");
  const std::string descr = m[1];
  if (!std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*(True|False))")))
    bad(file, name, "has an .npy header without 'fortran_order'");
  if (m[1] == "True")
    bad(file, name, "is stored in Fortran order; save it in C order (numpy.ascontiguousarray)");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    bad(file, name, "has an .npy header without 'shape'");
  NumericArray a;
  std::size_t count = 1;
  const std::string dims = m[1];
  const std::regex number(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), number), end; it != end; ++it) {
    a.shape.push_back(std::stoll(it->str()));
    count *= static_cast<std::size_t>(a.shape.back());
  }
  if (descr.size() < 3 || (descr[0] != '<' && descr[0] != '|'))
    bad(file, name, "has dtype " + descr + " (rungs reads little-endian numbers)");
  const char kind = descr[1];
  const int width = std::atoi(descr.c_str() + 2);
  const std::size_t data_at = start + header_len;
  if (b.size() - data_at < count * static_cast<std::size_t>(width))
    bad(file, name, "holds fewer values than its shape says (truncated)");
  const char* d = b.data() + data_at;
  a.integral = kind != 'f';
  if (kind == 'f' && width == 4)
    convert<float>(d, count, a.values);
  else if (kind == 'f' && width == 8)
    convert<double>(d, count, a.values);
  else if (kind == 'i' && width == 1)
    convert<std::int8_t>(d, count, a.values);
  else if (kind == 'i' && width == 2)
    convert<std::int16_t>(d, count, a.values);
  else if (kind == 'i' && width == 4)
    convert<std::int32_t>(d, count, a.values);
  else if (kind == 'i' && width == 8)
    convert<std::int64_t>(d, count, a.values);
  else if ((kind == 'u' || kind == 'b') && width == 1)
    convert<std::uint8_t>(d, count, a.values);
  else if (kind == 'u' && width == 2)
    convert<std::uint16_t>(d, count, a.values);
  else if (kind == 'u' && width == 4)
    convert<std::uint32_t>(d, count, a.values);
  else if (kind == 'u' && width == 8)
    convert<std::uint64_t>(d, count, a.values);
  else
    bad(file, name, "has dtype " + descr + ", which is not a number rungs reads");
  return a;
}

NumericArray read_npy_file(const std::string& file) { return parse_npy(read_whole(file), file); }

NumericArray read_npz_member(const std::string& file, const std::string& member) {
  const std::string z = read_whole(file);
  const std::string wanted = member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0
                                 ? member
                                 : member + ".npy";
  // The end of central directory record: its signature within the last 64 KiB + 22 bytes.
  std::size_t eocd = std::string::npos;
  for (std::size_t i = z.size() >= 22 ? z.size() - 22 : 0, stop = i > 65557 ? i - 65557 : 0;
       z.size() >= 22; --i) {
    if (le32(z, i) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == stop) break;
  }
  if (eocd == std::string::npos) bad(file, "", "is not an .npz (zip) file");
  const std::size_t entries = le16(z, eocd + 10);
  std::size_t at = le32(z, eocd + 16);
  for (std::size_t e = 0; e < entries; ++e) {
    if (at + 46 > z.size() || le32(z, at) != 0x02014b50)
      bad(file, "", "has a damaged zip directory");
    const int method = le16(z, at + 10);
    const std::size_t compressed = le32(z, at + 20), size = le32(z, at + 24);
    const std::size_t name_len = le16(z, at + 28), extra = le16(z, at + 30),
                      comment = le16(z, at + 32);
    const std::size_t local = le32(z, at + 42);
    const std::string entry = z.substr(at + 46, name_len);
    at += 46 + name_len + extra + comment;
    if (entry != wanted) continue;
    if (compressed == 0xffffffff || size == 0xffffffff || local == 0xffffffff)
      bad(file, member, "is a zip64 member (over 4 GiB), which rungs does not read");
    if (local + 30 > z.size() || le32(z, local) != 0x04034b50) bad(file, member, "is damaged");
    const std::size_t data = local + 30 + le16(z, local + 26) + le16(z, local + 28);
    if (data + compressed > z.size()) bad(file, member, "is truncated");
    if (method == 0) return parse_npy(z.substr(data, compressed), file, member);
    if (method != 8)
      bad(file, member,
          "is compressed with zip method " + std::to_string(method) +
              " (rungs reads stored and deflated members)");
    std::string out(size, '\0');
    z_stream s{};
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) bad(file, member, "cannot be inflated");
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data() + data));
    s.avail_in = static_cast<uInt>(compressed);
    s.next_out = reinterpret_cast<Bytef*>(out.data());
    s.avail_out = static_cast<uInt>(size);
    const int rc = inflate(&s, Z_FINISH);
    inflateEnd(&s);
    if (rc != Z_STREAM_END || s.total_out != size) bad(file, member, "is damaged (inflate failed)");
    return parse_npy(out, file, member);
  }
  bad(file, member, "no such array in the .npz file");
}

NumericArray read_hdf5_array(const std::string& file, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) bad(file, "", "no such file");
  h5::File f = [&] {
    try {
      return h5::File::open_read_only(file);
    } catch (const std::exception&) {
      bad(file, "", "is not an HDF5 file");
    }
  }();
  if (H5Lexists(f.root().id(), path.c_str(), H5P_DEFAULT) <= 0 ||
      H5Oexists_by_name(f.root().id(), path.c_str(), H5P_DEFAULT) <= 0)
    bad(file, path, "no such dataset");
  const h5::ObjectId set(H5Dopen2(f.root().id(), path.c_str(), H5P_DEFAULT));
  if (!set.valid()) bad(file, path, "is not a dataset");
  const h5::DatatypeId type(H5Dget_type(set.get()));
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    bad(file, path, "is not a numeric dataset (integers or floats)");
  const h5::DataspaceId space(H5Dget_space(set.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  NumericArray a;
  a.integral = cls == H5T_INTEGER;
  std::size_t count = 1;
  for (hsize_t d : dims) {
    a.shape.push_back(static_cast<std::int64_t>(d));
    count *= d;
  }
  a.values.resize(count);
  if (count > 0 &&
      H5Dread(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
    bad(file, path, "cannot be read");
  return a;
}

NumericArray read_array(const std::string& file, const std::string& name) {
  if (file.empty()) return read_npy_file(name);
  const std::string ext = std::filesystem::path(file).extension().string();
  if (ext == ".npz") return read_npz_member(file, name);
  if (ext == ".h5" || ext == ".hdf5") return read_hdf5_array(file, name);
  bad(file, "",
      "is not a data file rungs reads (.h5, .hdf5, .npz; or .npy arrays without data.file)");
}

}  // namespace rungs
