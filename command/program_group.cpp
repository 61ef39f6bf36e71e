#include "command/program_group.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "command/rank_env.h"
#include "study/errors.h"

namespace rungs {
namespace {

constexpr std::uint8_t kVersion = 1;

enum class Kind : std::uint8_t { Start = 1, Decision, Interrupt, End, Shutdown, Exited };

/// What a rank's program came to, as the leader judges the group by it.
struct RankEnd {
  TrialOutcome outcome;
  bool ended_by_group = false;  ///< ended because the group ended (End, or another rank failed)
  bool killed_unasked = false;
  std::uint64_t ended_ms = 0;  ///< ms since the Unix epoch
};
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, RankEnd>, int> = 0>
auto fields(T& e) {
  auto& [outcome, ended_by_group, killed_unasked, ended_ms] = e;
  return std::tie(outcome, ended_by_group, killed_unasked, ended_ms);
}

/// One message of the group protocol; which fields count depends on `kind`.
struct Message {
  Kind kind = Kind::Shutdown;
  std::int32_t run = 0;          ///< the leader's attempt number (all but Shutdown)
  TrialAssignment trial;         ///< Start
  std::int32_t port = 0;         ///< Start
  std::string master_addr;       ///< Start
  std::int32_t epoch = 0;        ///< Decision
  std::string decision;          ///< Decision
  bool now = false;              ///< End
  RankEnd exited;                ///< Exited
};

wire::Bytes encode(const Message& m) {
  wire::Writer w;
  w.u8(kVersion);
  w.u8(static_cast<std::uint8_t>(m.kind));
  wire::put(w, m.run);
  switch (m.kind) {
    case Kind::Start:
      wire::put(w, m.trial);
      wire::put(w, m.port);
      wire::put(w, m.master_addr);
      break;
    case Kind::Decision:
      wire::put(w, m.epoch);
      wire::put(w, m.decision);
      break;
    case Kind::End: wire::put(w, m.now); break;
    case Kind::Exited: wire::put(w, m.exited); break;
    case Kind::Interrupt:
    case Kind::Shutdown: break;
  }
  return w.take();
}

Message decode(const wire::Bytes& bytes) {
  wire::Reader r(bytes);
  if (r.u8() != kVersion) throw MpiError("trial group message of another version");
  Message m;
  const std::uint8_t kind = r.u8();
  if (kind < 1 || kind > static_cast<std::uint8_t>(Kind::Exited)) wire::bad_enum_byte(kind);
  m.kind = static_cast<Kind>(kind);
  wire::get(r, m.run);
  switch (m.kind) {
    case Kind::Start:
      wire::get(r, m.trial);
      wire::get(r, m.port);
      wire::get(r, m.master_addr);
      break;
    case Kind::Decision:
      wire::get(r, m.epoch);
      wire::get(r, m.decision);
      break;
    case Kind::End: wire::get(r, m.now); break;
    case Kind::Exited: wire::get(r, m.exited); break;
    case Kind::Interrupt:
    case Kind::Shutdown: break;
  }
  r.expect_end();
  return m;
}

/// Sleeps a little longer each time it is called, up to `most`, until reset.
class Backoff {
 public:
  explicit Backoff(std::chrono::microseconds most) : most_(most) {}
  void wait() {
    sleep_ = std::min(most_, sleep_.count() == 0 ? std::chrono::microseconds{50} : sleep_ * 2);
    std::this_thread::sleep_for(sleep_);
  }
  void reset() { sleep_ = std::chrono::microseconds{0}; }

 private:
  std::chrono::microseconds most_, sleep_{0};
};

std::string rank_name(int rank, int size) {
  return "rank " + std::to_string(rank) + " of " + std::to_string(size);
}

RankEnd rank_end(const ProgramResult& r) {
  return RankEnd{r.outcome, r.ended_by_hooks, r.killed_unasked, static_cast<std::uint64_t>(r.ended_ms)};
}

bool ended_badly(const TrialOutcome& o) {
  return o.kind == TrialOutcome::Kind::Failed || o.kind == TrialOutcome::Kind::Interrupted ||
         o.kind == TrialOutcome::Kind::Halted;
}

/// The trial's outcome from every rank's end (index: group rank; the leader's is 0).
TrialOutcome group_outcome(const std::vector<RankEnd>& ends, bool interrupted_by_rungs) {
  if (interrupted_by_rungs) return {TrialOutcome::Kind::Interrupted, ""};
  int cause = -1;
  for (int r = 0; r < static_cast<int>(ends.size()); ++r) {
    const RankEnd& e = ends[r];
    // A program ended because the group ended is no cause, unless a signal rungs did not
    // send killed it.
    if (!ended_badly(e.outcome) || (e.ended_by_group && !e.killed_unasked)) continue;
    if (cause < 0) {
      cause = r;
      continue;
    }
    const RankEnd& c = ends[cause];
    if (std::make_pair(!e.killed_unasked, e.ended_ms) < std::make_pair(!c.killed_unasked, c.ended_ms))
      cause = r;
  }
  if (cause < 0) return ends[0].outcome;  // the leader's: its end was the group's
  TrialOutcome o = ends[cause].outcome;
  if (o.kind != TrialOutcome::Kind::Interrupted) {
    o.reason = rank_name(cause, static_cast<int>(ends.size())) + ": " + o.reason;
  }
  return o;
}

void append_log(const CommandSettings& s, int trial_id, const std::string& line) {
  std::ofstream log(std::filesystem::path(s.output_dir) / "trials" / std::to_string(trial_id) /
                        "rungs.log",
                    std::ios::app);
  log << line << std::endl;
}

class GroupLeader final : public TrialRunner {
 public:
  GroupLeader(CommandSettings settings, GroupLink& link, ProgramRank rank)
      : s_(std::move(settings)), link_(link), rank_(std::move(rank)) {}

  TrialOutcome run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override;

  TestResult evaluate_test(const TrialAssignment& trial) override {
    throw TrialError("trial " + std::to_string(trial.trial_id) +
                     " runs the study's own program, which has no held-out test in rungs");
  }

 private:
  void to_members(const Message& m) {
    for (int r = 1; r < link_.size(); ++r) link_.send(r, encode(m));
  }
  /// Takes the members' Exited of run `run` into `ends` (others are of no run left).
  void collect(int run, std::vector<std::optional<RankEnd>>& ends) {
    while (auto received = link_.receive()) {
      const Message m = decode(received->second);
      if (m.kind != Kind::Exited) throw MpiError("group leader got a leader's message");
      if (m.run == run && received->first > 0 && received->first < link_.size())
        ends[received->first] = m.exited;
    }
  }

  CommandSettings s_;
  GroupLink& link_;
  ProgramRank rank_;
};

TrialOutcome GroupLeader::run(const TrialAssignment& trial, const EpochCallback& on_epoch,
                              const InterruptCheck& should_stop) {
  const int size = link_.size();
  std::set<int> tried;
  bool interrupted = false;
  for (int launch = 1;; ++launch) {
    const std::optional<int> port =
        choose_master_port(rank_.node_group, rank_.node_groups, tried, port_is_free);
    if (!port) {
      return {TrialOutcome::Kind::Failed,
              "no free MASTER_PORT for its ranks among " + std::to_string(kMasterPortTries) +
                  " candidates from " + std::to_string(kMasterPortBase)};
    }
    tried.insert(*port);
    ProgramHooks hooks;
    hooks.env = rank_environment(
        RankPlace{0, size, rank_.local_rank, rank_.local_size, rank_.master_addr, *port});
    int run = 0;
    std::vector<std::optional<RankEnd>> ends(static_cast<std::size_t>(size));
    hooks.launched = [&](int attempt) {
      run = attempt;
      Message m;
      m.kind = Kind::Start;
      m.run = run;
      m.trial = trial;
      m.port = *port;
      m.master_addr = rank_.master_addr;
      to_members(m);
    };
    hooks.decided = [&](int epoch, const std::string& decision) {
      Message m;
      m.kind = Kind::Decision;
      m.run = run;
      m.epoch = epoch;
      m.decision = decision;
      to_members(m);
    };
    hooks.end = [&]() -> std::optional<ProgramHooks::End> {
      collect(run, ends);
      for (int r = 1; r < size; ++r) {
        if (ends[r] && ended_badly(ends[r]->outcome)) {
          TrialOutcome o = ends[r]->outcome;
          // Interrupted by rungs, every rank is leaving: the leader's program exits on its own.
          if (interrupted && o.kind == TrialOutcome::Kind::Interrupted) continue;
          if (o.kind != TrialOutcome::Kind::Interrupted) o.reason = rank_name(r, size) + ": " + o.reason;
          return ProgramHooks::End{true, o};
        }
      }
      return std::nullopt;
    };
    const InterruptCheck stop = [&] {
      const bool yes = should_stop();
      if (yes && !interrupted) {
        interrupted = true;
        Message m;
        m.kind = Kind::Interrupt;
        m.run = run;
        to_members(m);
      }
      return yes;
    };
    const ProgramResult own = run_program(s_, trial, hooks, on_epoch, stop);
    if (run == 0) {  // it never started, so neither did the members'
      TrialOutcome o = own.outcome;
      if (o.kind == TrialOutcome::Kind::Failed) o.reason = rank_name(0, size) + ": " + o.reason;
      return o;
    }
    const bool again = own.address_in_use && !interrupted && launch < kMasterPortTries;
    Message end;
    end.kind = Kind::End;
    end.run = run;
    // Interrupted, the members were told too and get timeouts.stop to end as they please.
    end.now = again || (ended_badly(own.outcome) && !interrupted);
    to_members(end);
    ends[0] = rank_end(own);
    Backoff backoff(std::chrono::milliseconds{5});
    const auto missing = [&] {
      return std::any_of(ends.begin(), ends.end(), [](const auto& e) { return !e; });
    };
    for (collect(run, ends); missing(); collect(run, ends)) backoff.wait();
    if (again) {
      append_log(s_, trial.trial_id,
                 "attempt " + std::to_string(run) + ": MASTER_PORT " + std::to_string(*port) +
                     " was taken (address already in use): running every rank again on another port");
      continue;
    }
    std::vector<RankEnd> all;
    for (const auto& e : ends) all.push_back(*e);
    return group_outcome(all, interrupted);
  }
}

/// What a member has heard from its leader during one run of its program.
struct MemberInbox {
  int run = 0;
  std::vector<std::pair<int, std::string>> decisions;  ///< (epoch, decision)
  bool interrupted = false;
  std::optional<bool> end;        ///< End arrived; its `now`
  std::optional<Message> start;   ///< a Start that came while idle
  bool shutdown = false;

  /// Takes the messages that have arrived, up to a Start.
  void take(GroupLink& link) {
    while (auto received = link.receive()) {
      if (received->first != 0) throw MpiError("group member got a message from a member");
      Message m = decode(received->second);
      switch (m.kind) {
        case Kind::Start:  // what follows is of its run: left for after it started
          start = std::move(m);
          return;
        case Kind::Shutdown: shutdown = true; break;
        case Kind::Exited: throw MpiError("group member got a member's message");
        default:
          if (m.run != run) break;  // of a run that is over
          if (m.kind == Kind::Decision) decisions.emplace_back(m.epoch, m.decision);
          if (m.kind == Kind::Interrupt) interrupted = true;
          if (m.kind == Kind::End) end = m.now;
      }
    }
  }
};

Verdict verdict_of(const std::string& decision) {
  return decision == "continue" ? Verdict::Continue
         : decision == "pause"  ? Verdict::Pause
                                : Verdict::Stop;
}

/// One run of the member's program, from the leader's Start to its End.
void member_run(const CommandSettings& settings, GroupLink& link, const ProgramRank& rank,
                MemberInbox& inbox, const Message& start) {
  inbox.run = start.run;
  inbox.decisions.clear();
  inbox.interrupted = false;
  inbox.end.reset();
  ProgramHooks hooks;
  hooks.rank = link.rank();
  hooks.attempt = start.run;
  hooks.env = rank_environment(RankPlace{link.rank(), link.size(), rank.local_rank,
                                         rank.local_size, start.master_addr, start.port});
  hooks.end = [&]() -> std::optional<ProgramHooks::End> {
    inbox.take(link);
    if (inbox.shutdown || (inbox.end && *inbox.end)) {
      return ProgramHooks::End{true, TrialOutcome{TrialOutcome::Kind::Failed, "ended with its group"}};
    }
    if (inbox.end) return ProgramHooks::End{false, std::nullopt};
    return std::nullopt;
  };
  const EpochCallback on_epoch = [&](const EpochResult& result) {
    Backoff backoff(std::chrono::milliseconds{2});
    for (;;) {
      inbox.take(link);
      for (const auto& [epoch, decision] : inbox.decisions) {
        if (epoch == result.epoch) return verdict_of(decision);
      }
      if (inbox.end || inbox.shutdown) return Verdict::Stop;
      backoff.wait();
    }
  };
  const InterruptCheck should_stop = [&] {
    inbox.take(link);
    return inbox.interrupted;
  };
  ProgramResult result;
  try {
    result = run_program(settings, start.trial, hooks, on_epoch, should_stop);
  } catch (const MpiError&) {
    throw;  // the group's protocol broke: not the trial's failure
  } catch (const std::exception& e) {  // its folder could not be made: the leader fails the trial
    result.outcome = {TrialOutcome::Kind::Failed, e.what()};
  }
  Message exited;
  exited.kind = Kind::Exited;
  exited.run = start.run;
  exited.exited = rank_end(result);
  link.send(0, encode(exited));
}

}  // namespace

std::unique_ptr<TrialRunner> make_program_group_leader(const CommandSettings& settings,
                                                       GroupLink& link, const ProgramRank& rank) {
  return std::make_unique<GroupLeader>(settings, link, rank);
}

void release_program_group_members(GroupLink& link) {
  Message m;
  m.kind = Kind::Shutdown;
  for (int r = 1; r < link.size(); ++r) link.send(r, encode(m));
}

void run_program_group_member(const CommandSettings& settings, GroupLink& link,
                              const ProgramRank& rank) {
  MemberInbox inbox;
  Backoff backoff(std::chrono::milliseconds{20});  // idle: the leader may wait long for work
  for (;;) {
    inbox.take(link);
    if (inbox.start) {
      const Message start = std::move(*inbox.start);
      inbox.start.reset();
      member_run(settings, link, rank, inbox, start);
      backoff.reset();
      continue;
    }
    if (inbox.shutdown) return;
    backoff.wait();
  }
}

}  // namespace rungs
