#pragma once
/// Explicit byte encoding for wire messages: fixed-width little-endian integers, IEEE
/// doubles by bit pattern, length-prefixed strings. No struct is ever memcpy'd whole.
#include <cstdint>
#include <string>
#include <vector>

#include "study/param.h"

namespace rungs::wire {

using Bytes = std::vector<std::uint8_t>;

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void f64(double v);
  void str(const std::string& s);
  void value(const ParamValue& v);
  void params(const Params& p);
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

/// Reads what Writer wrote; throws MpiError on a short or malformed buffer.
class Reader {
 public:
  explicit Reader(const Bytes& in) : in_(in) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double f64();
  std::string str();
  ParamValue value();
  Params params();
  /// Throws unless every byte was consumed.
  void expect_end() const;

 private:
  void need(std::size_t n) const;
  const Bytes& in_;
  std::size_t pos_ = 0;
};

}  // namespace rungs::wire
