#include "mpi_driver/group_runner.h"

#include <exception>
#include <utility>

#include "mpi_driver/protocol.h"
#include "study/errors.h"

namespace rungs {
namespace {

constexpr std::uint8_t kGroupVersion = 1;

/// What the leader broadcasts: a command (a protocol message: Assign, Evaluate, Shutdown),
/// an answer the coordinator gave its runner (a should_stop poll or a verdict), or the end
/// of the current trial.
enum class Frame : std::uint8_t { Command = 1, Answer = 2, End = 3 };

wire::Bytes frame(Frame kind, const wire::Bytes& body = {}) {
  wire::Writer w;
  w.u8(kGroupVersion);
  w.u8(static_cast<std::uint8_t>(kind));
  wire::Bytes out = w.take();
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

wire::Bytes answer(std::uint8_t value) { return frame(Frame::Answer, wire::Bytes{value}); }

void send(GroupChannel& channel, wire::Bytes bytes) { channel.broadcast(bytes); }

struct Received {
  Frame kind;
  wire::Bytes body;
};

Received receive(GroupChannel& channel) {
  wire::Bytes bytes;
  channel.broadcast(bytes);
  if (bytes.size() < 2 || bytes[0] != kGroupVersion || bytes[1] < 1 || bytes[1] > 3) {
    throw MpiError("group member got a malformed frame of " + std::to_string(bytes.size()) +
                   " bytes");
  }
  return {static_cast<Frame>(bytes[1]), wire::Bytes(bytes.begin() + 2, bytes.end())};
}

}  // namespace

GroupLeaderRunner::GroupLeaderRunner(GroupChannel& channel, std::unique_ptr<TrialRunner> inner)
    : channel_(channel), inner_(std::move(inner)) {}

TrialOutcome GroupLeaderRunner::run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                                    const InterruptCheck& should_stop) {
  send(channel_, frame(Frame::Command, protocol::encode(protocol::Assign{trial})));
  TrialOutcome outcome;
  try {
    outcome = inner_->run(
        trial,
        [&](const EpochResult& result) {
          const Verdict verdict = on_epoch(result);
          send(channel_, answer(static_cast<std::uint8_t>(verdict)));
          return verdict;
        },
        [&] {
          const bool stop = should_stop();
          send(channel_, answer(stop ? 1 : 0));
          return stop;
        });
  } catch (...) {
    send(channel_, frame(Frame::End));
    throw;
  }
  send(channel_, frame(Frame::End));
  return outcome;
}

TestResult GroupLeaderRunner::evaluate_test(const TrialAssignment& trial) {
  send(channel_, frame(Frame::Command, protocol::encode(protocol::Evaluate{trial})));
  return inner_->evaluate_test(trial);
}

void release_group_members(GroupChannel& channel) {
  send(channel, frame(Frame::Command, protocol::encode(protocol::Shutdown{})));
}

namespace {

/// A member's run of one trial: every callback takes the leader's next answer; after End
/// (the leader's runner returned) the member's runner is told to stop at once.
void member_trial(GroupChannel& channel, TrialRunner& runner, const TrialAssignment& trial) {
  bool ended = false;
  const auto next_answer = [&]() -> std::optional<std::uint8_t> {
    if (ended) return std::nullopt;
    Received r = receive(channel);
    if (r.kind == Frame::End) {
      ended = true;
      return std::nullopt;
    }
    if (r.kind != Frame::Answer || r.body.size() != 1)
      throw MpiError("group member expected an answer during trial " +
                     std::to_string(trial.trial_id));
    return r.body[0];
  };
  std::exception_ptr error;
  runner.run(
      trial,
      [&](const EpochResult&) {
        try {
          const auto a = next_answer();
          if (a && *a > static_cast<std::uint8_t>(Verdict::Pause))
            throw MpiError("group member got verdict " + std::to_string(*a));
          return a ? static_cast<Verdict>(*a) : Verdict::Stop;
        } catch (...) {
          error = std::current_exception();
          return Verdict::Stop;
        }
      },
      [&] {
        try {
          const auto a = next_answer();
          return a ? *a != 0 : true;
        } catch (...) {
          error = std::current_exception();
          return true;
        }
      });
  if (error) std::rethrow_exception(error);
  if (!ended && receive(channel).kind != Frame::End)
    throw MpiError("group member expected the end of trial " + std::to_string(trial.trial_id));
}

}  // namespace

void run_group_member(GroupChannel& channel, TrialRunner& runner) {
  for (;;) {
    const Received r = receive(channel);
    if (r.kind != Frame::Command) throw MpiError("group member expected a command");
    const protocol::Message message = protocol::decode(r.body);
    if (std::holds_alternative<protocol::Shutdown>(message)) return;
    if (const auto* assign = std::get_if<protocol::Assign>(&message)) {
      member_trial(channel, runner, assign->trial);
    } else if (const auto* evaluate = std::get_if<protocol::Evaluate>(&message)) {
      try {
        runner.evaluate_test(evaluate->trial);
      } catch (const std::exception&) {
        // The leader's own attempt fails alike and reports it.
      }
    } else {
      throw MpiError(std::string("group member got ") +
                     protocol::to_string(protocol::kind_of(message)));
    }
  }
}

}  // namespace rungs
