#pragma once
/// The messages between the coordinator (rank 0) and the workers. Every message starts with
/// a version byte and a kind byte; the body is encoded field by field (study/wire.h).
///
/// Conversation of one worker:
///   worker -> Ready                      (idle, wants work)
///   coord  -> Assign                     (train a trial from start_epoch to end_epoch)
///   worker -> EpochReport                (after each epoch)
///   coord  -> Decision                   (continue / stop / pause; not sent after the last
///                                         epoch of an assignment)
///   worker -> TrialEnd, then Ready again
///   coord  -> Evaluate / worker -> TestReport   (once, at the end: test set of the best)
///   coord  -> Shutdown
/// When the job is to stop (preemption), the coordinator sends Interrupt to every worker
/// with a trial; the worker stops at the next batch boundary and ends it with TrialEnd
/// (Interrupted), keeping its last checkpoint. Shutdown during a trial means the same.
/// A worker that cannot work at all (no data) sends Fatal; the coordinator ends the study.
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <variant>

#include "study/wire.h"
#include "study/snapshot.h"
#include "study/trial_runner.h"

namespace rungs::protocol {

inline constexpr std::uint8_t kVersion = 3;

enum class Kind : std::uint8_t {
  Ready = 1,
  Assign = 2,
  EpochReport = 3,
  Decision = 4,
  TrialEnd = 5,
  Evaluate = 6,
  TestReport = 7,
  Shutdown = 8,
  Fatal = 9,
  Interrupt = 10,
};

struct Ready {};
struct Assign {
  TrialAssignment trial;
};
struct EpochReport {
  int trial_id = 0;
  EpochResult result;
};
struct Decision {
  int trial_id = 0;
  Verdict verdict = Verdict::Continue;
};
struct TrialEnd {
  int trial_id = 0;
  TrialOutcome outcome;
};
struct Evaluate {
  TrialAssignment trial;
};
struct TestReport {
  TestResult result;
  std::string error;  ///< empty on success
};
struct Shutdown {};
struct Fatal {
  std::string reason;
};
struct Interrupt {};

using Message = std::variant<Ready, Assign, EpochReport, Decision, TrialEnd, Evaluate,
                             TestReport, Shutdown, Fatal, Interrupt>;

// Every member of each message, in order (study/wire.h); empty messages have none.
#define RUNGS_MESSAGE_FIELDS(Type, ...)                                                 \
  template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, Type>, int> = 0> \
  auto fields(T& m) {                                                                    \
    auto& [__VA_ARGS__] = m;                                                             \
    return std::tie(__VA_ARGS__);                                                        \
  }
RUNGS_MESSAGE_FIELDS(Assign, trial)
RUNGS_MESSAGE_FIELDS(EpochReport, trial_id, result)
RUNGS_MESSAGE_FIELDS(Decision, trial_id, verdict)
RUNGS_MESSAGE_FIELDS(TrialEnd, trial_id, outcome)
RUNGS_MESSAGE_FIELDS(Evaluate, trial)
RUNGS_MESSAGE_FIELDS(TestReport, result, error)
RUNGS_MESSAGE_FIELDS(Fatal, reason)
#undef RUNGS_MESSAGE_FIELDS

Kind kind_of(const Message& message);
const char* to_string(Kind kind);
wire::Bytes encode(const Message& message);
/// Throws MpiError on a wrong version, an unknown kind or a malformed body.
Message decode(const wire::Bytes& bytes);

}  // namespace rungs::protocol
