#include "study/wire.h"

#include <cstring>

#include "study/errors.h"

namespace rungs::wire {

void Writer::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::f64(double v) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  u64(bits);
}

void Writer::str(const std::string& s) {
  u32(static_cast<std::uint32_t>(s.size()));
  out_.insert(out_.end(), s.begin(), s.end());
}

void Writer::value(const ParamValue& v) {
  u8(static_cast<std::uint8_t>(v.index()));
  switch (v.index()) {
    case 0: u8(std::get<bool>(v) ? 1 : 0); break;
    case 1: i64(std::get<std::int64_t>(v)); break;
    case 2: f64(std::get<double>(v)); break;
    case 3: str(std::get<std::string>(v)); break;
  }
}

void Writer::params(const Params& p) {
  u32(static_cast<std::uint32_t>(p.size()));
  for (const auto& [name, v] : p) {
    str(name);
    value(v);
  }
}

void Reader::need(std::size_t n) const {
  if (in_.size() - pos_ < n) {
    throw MpiError("malformed message: needs " + std::to_string(n) + " more bytes at offset " +
                   std::to_string(pos_) + " of " + std::to_string(in_.size()));
  }
}

std::uint8_t Reader::u8() {
  need(1);
  return in_[pos_++];
}

std::uint32_t Reader::u32() {
  need(4);
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(in_[pos_++]) << (8 * i);
  return v;
}

std::uint64_t Reader::u64() {
  need(8);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(in_[pos_++]) << (8 * i);
  return v;
}

double Reader::f64() {
  const std::uint64_t bits = u64();
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string Reader::str() {
  const std::uint32_t n = u32();
  need(n);
  std::string s(in_.begin() + static_cast<std::ptrdiff_t>(pos_),
                in_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
  pos_ += n;
  return s;
}

ParamValue Reader::value() {
  switch (u8()) {
    case 0: return u8() != 0;
    case 1: return i64();
    case 2: return f64();
    case 3: return str();
    default: throw MpiError("malformed message: unknown parameter value type");
  }
}

Params Reader::params() {
  Params p;
  const std::uint32_t n = u32();
  for (std::uint32_t i = 0; i < n; ++i) {
    std::string name = str();
    p.emplace(std::move(name), value());
  }
  return p;
}

void Reader::expect_end() const {
  if (pos_ != in_.size()) {
    throw MpiError("malformed message: " + std::to_string(in_.size() - pos_) + " trailing bytes");
  }
}

void bad_enum_byte(std::uint8_t byte) {
  throw MpiError("malformed message: " + std::to_string(byte) + " is out of range for an enum");
}

void bad_list_size(std::uint32_t count, std::size_t bytes) {
  throw MpiError("malformed message: a list of " + std::to_string(count) + " elements in " +
                 std::to_string(bytes) + " bytes");
}

}  // namespace rungs::wire
