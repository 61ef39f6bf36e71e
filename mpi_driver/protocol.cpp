#include "mpi_driver/protocol.h"

#include "study/errors.h"

namespace rungs::protocol {

namespace {

using wire::Reader;
using wire::Writer;

void put(Writer& w, const TrialAssignment& t) {
  w.i32(t.trial_id);
  w.params(t.params);
  w.u64(t.seed);
  w.i32(t.start_epoch);
  w.i32(t.end_epoch);
  w.str(t.checkpoint);
}

TrialAssignment get_assignment(Reader& r) {
  TrialAssignment t;
  t.trial_id = r.i32();
  t.params = r.params();
  t.seed = r.u64();
  t.start_epoch = r.i32();
  t.end_epoch = r.i32();
  t.checkpoint = r.str();
  return t;
}

template <typename Enum>
Enum get_enum(Reader& r, int count, const char* what) {
  const std::uint8_t v = r.u8();
  if (v >= count) throw MpiError(std::string("malformed message: bad ") + what);
  return static_cast<Enum>(v);
}

struct Encoder {
  Writer& w;
  void operator()(const Ready&) const {}
  void operator()(const Assign& m) const { put(w, m.trial); }
  void operator()(const EpochReport& m) const {
    w.i32(m.trial_id);
    w.i32(m.result.epoch);
    w.f64(m.result.value);
    w.f64(m.result.val_accuracy);
    w.f64(m.result.val_loss);
    w.f64(m.result.train_loss);
    w.f64(m.result.seconds);
    w.u8(m.result.checkpointed ? 1 : 0);
  }
  void operator()(const Decision& m) const {
    w.i32(m.trial_id);
    w.u8(static_cast<std::uint8_t>(m.verdict));
  }
  void operator()(const TrialEnd& m) const {
    w.i32(m.trial_id);
    w.u8(static_cast<std::uint8_t>(m.outcome.kind));
    w.str(m.outcome.reason);
  }
  void operator()(const Evaluate& m) const { put(w, m.trial); }
  void operator()(const TestReport& m) const {
    w.i32(m.result.trial_id);
    w.f64(m.result.accuracy);
    w.f64(m.result.loss);
    w.str(m.error);
  }
  void operator()(const Shutdown&) const {}
  void operator()(const Fatal& m) const { w.str(m.reason); }
  void operator()(const Interrupt&) const {}
};

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
  Writer w;
  w.u8(kVersion);
  w.u8(static_cast<std::uint8_t>(kind_of(message)));
  std::visit(Encoder{w}, message);
  return w.take();
}

Message decode(const wire::Bytes& bytes) {
  Reader r(bytes);
  const std::uint8_t version = r.u8();
  if (version != kVersion) {
    throw MpiError("message of protocol version " + std::to_string(version) + ", expected " +
                   std::to_string(kVersion) + ": are all ranks running the same rungs?");
  }
  const std::uint8_t kind = r.u8();
  Message m;
  switch (static_cast<Kind>(kind)) {
    case Kind::Ready: m = Ready{}; break;
    case Kind::Assign: m = Assign{get_assignment(r)}; break;
    case Kind::EpochReport: {
      EpochReport e;
      e.trial_id = r.i32();
      e.result.epoch = r.i32();
      e.result.value = r.f64();
      e.result.val_accuracy = r.f64();
      e.result.val_loss = r.f64();
      e.result.train_loss = r.f64();
      e.result.seconds = r.f64();
      e.result.checkpointed = r.u8() != 0;
      m = e;
      break;
    }
    case Kind::Decision: {
      Decision d;
      d.trial_id = r.i32();
      d.verdict = get_enum<Verdict>(r, 3, "verdict");
      m = d;
      break;
    }
    case Kind::TrialEnd: {
      TrialEnd t;
      t.trial_id = r.i32();
      t.outcome.kind = get_enum<TrialOutcome::Kind>(r, 5, "trial outcome");
      t.outcome.reason = r.str();
      m = t;
      break;
    }
    case Kind::Evaluate: m = Evaluate{get_assignment(r)}; break;
    case Kind::TestReport: {
      TestReport t;
      t.result.trial_id = r.i32();
      t.result.accuracy = r.f64();
      t.result.loss = r.f64();
      t.error = r.str();
      m = t;
      break;
    }
    case Kind::Shutdown: m = Shutdown{}; break;
    case Kind::Fatal: m = Fatal{r.str()}; break;
    case Kind::Interrupt: m = Interrupt{}; break;
    default: throw MpiError("message of unknown kind " + std::to_string(kind));
  }
  r.expect_end();
  return m;
}

}  // namespace rungs::protocol
