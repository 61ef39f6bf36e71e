#include "mpi_driver/protocol.h"

#include "study/errors.h"

namespace rungs::protocol {

namespace {

/// The message of variant index I.. whose index is `index`, read from `r`.
template <std::size_t I = 0>
Message read_message(std::size_t index, wire::Reader& r) {
  if constexpr (I < std::variant_size_v<Message>) {
    if (index != I) return read_message<I + 1>(index, r);
    std::variant_alternative_t<I, Message> m;
    wire::get(r, m);
    return m;
  } else {
    throw MpiError("message of unknown kind " + std::to_string(index + 1));
  }
}

}  // namespace

Kind kind_of(const Message& message) { return static_cast<Kind>(message.index() + 1); }

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::Ready: return "Ready";
    case Kind::Assign: return "Assign";
    case Kind::EpochReport: return "EpochReport";
    case Kind::Decision: return "Decision";
    case Kind::TrialEnd: return "TrialEnd";
    case Kind::Evaluate: return "Evaluate";
    case Kind::TestReport: return "TestReport";
    case Kind::Shutdown: return "Shutdown";
    case Kind::Fatal: return "Fatal";
    case Kind::Interrupt: return "Interrupt";
  }
  return "Unknown";
}

wire::Bytes encode(const Message& message) {
  wire::Writer w;
  w.u8(kVersion);
  w.u8(static_cast<std::uint8_t>(kind_of(message)));
  std::visit([&w](const auto& m) { wire::put(w, m); }, message);
  return w.take();
}

Message decode(const wire::Bytes& bytes) {
  wire::Reader r(bytes);
  const std::uint8_t version = r.u8();
  if (version != kVersion) {
    throw MpiError("message of protocol version " + std::to_string(version) + ", expected " +
                   std::to_string(kVersion) + ": are all ranks running the same rungs?");
  }
  const std::uint8_t kind = r.u8();
  Message m = read_message(kind == 0 ? std::variant_size_v<Message> : kind - 1u, r);
  r.expect_end();
  return m;
}

}  // namespace rungs::protocol
