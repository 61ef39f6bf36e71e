#pragma once
/// Explicit byte encoding for wire messages: fixed-width little-endian integers, IEEE
/// doubles by bit pattern, length-prefixed strings. No struct is ever memcpy'd whole.
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
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
  bool at_end() const { return pos_ == in_.size(); }
  std::size_t remaining() const { return in_.size() - pos_; }

 private:
  void need(std::size_t n) const;
  const Bytes& in_;
  std::size_t pos_ = 0;
};

// Records field by field. A record type declares, beside its definition, a function
// `fields(record)` that returns std::tie of every member in order, taken with a structured
// binding: a member added to the struct but not to its fields() then fails to compile, so no
// encoder can forget it. put()/get() below write and read any such record, nested records,
// enums that have `from_byte(std::uint8_t, Enum&)` (false for a byte out of range), and the
// field types Writer knows. Empty structs have no fields.

inline void put(Writer& w, bool v) { w.u8(v ? 1 : 0); }
inline void put(Writer& w, std::int32_t v) { w.i32(v); }
inline void put(Writer& w, std::uint64_t v) { w.u64(v); }
inline void put(Writer& w, double v) { w.f64(v); }
inline void put(Writer& w, const std::string& v) { w.str(v); }
inline void put(Writer& w, const Params& v) { w.params(v); }
inline void get(Reader& r, bool& v) { v = r.u8() != 0; }
inline void get(Reader& r, std::int32_t& v) { v = r.i32(); }
inline void get(Reader& r, std::uint64_t& v) { v = r.u64(); }
inline void get(Reader& r, double& v) { v = r.f64(); }
inline void get(Reader& r, std::string& v) { v = r.str(); }
inline void get(Reader& r, Params& v) { v = r.params(); }
/// Throws MpiError: "malformed message: 9 is out of range for an enum".
[[noreturn]] void bad_enum_byte(std::uint8_t byte);
/// Throws MpiError: "malformed message: a list of N elements in M bytes".
[[noreturn]] void bad_list_size(std::uint32_t count, std::size_t bytes);

// Declared before they are defined: records hold lists of records and the other way round.
template <typename T, std::enable_if_t<std::is_class_v<T>, int> = 0>
void put(Writer& w, const T& record);
template <typename T, std::enable_if_t<std::is_class_v<T>, int> = 0>
void get(Reader& r, T& record);

/// A list: its length (u32), then its elements.
template <typename T>
void put(Writer& w, const std::vector<T>& list) {
  w.u32(static_cast<std::uint32_t>(list.size()));
  for (const T& element : list) put(w, element);
}
template <typename T>
void get(Reader& r, std::vector<T>& list) {
  const std::uint32_t count = r.u32();
  if (count > r.remaining()) bad_list_size(count, r.remaining());  // every element has a byte
  list.clear();
  list.resize(count);
  for (T& element : list) get(r, element);
}

template <typename T, std::enable_if_t<std::is_enum_v<T>, int> = 0>
void put(Writer& w, T v) {
  w.u8(static_cast<std::uint8_t>(v));
}
template <typename T, std::enable_if_t<std::is_enum_v<T>, int> = 0>
void get(Reader& r, T& v) {
  const std::uint8_t byte = r.u8();
  if (!from_byte(byte, v)) bad_enum_byte(byte);
}

template <typename T, std::enable_if_t<std::is_class_v<T>, int>>
void put(Writer& w, const T& record) {
  if constexpr (!std::is_empty_v<T>) {
    std::apply([&w](const auto&... field) { (put(w, field), ...); }, fields(record));
  }
}
template <typename T, std::enable_if_t<std::is_class_v<T>, int>>
void get(Reader& r, T& record) {
  if constexpr (!std::is_empty_v<T>) {
    std::apply([&r](auto&... field) { (get(r, field), ...); }, fields(record));
  }
}

}  // namespace rungs::wire
