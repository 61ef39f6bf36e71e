// A trial group's leader and members, one thread per rank over an in-process channel: the
// members run the same trials and take the same path through them as the leader.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "mpi_driver/group_runner.h"

namespace rungs {
namespace {

/// The shared state of an in-process group: the leader publishes one message at a time and
/// waits until every member has taken the previous one (like MPI_Bcast).
struct LocalGroup {
  explicit LocalGroup(int n) : size(n) {}
  const int size;
  std::mutex mutex;
  std::condition_variable changed;
  wire::Bytes message;
  std::uint64_t sequence = 0;
  int unread = 0;
};

class LocalGroupChannel final : public GroupChannel {
 public:
  LocalGroupChannel(LocalGroup& group, int rank) : group_(group), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return group_.size; }
  void broadcast(wire::Bytes& bytes) override {
    std::unique_lock<std::mutex> lock(group_.mutex);
    if (rank_ == 0) {
      group_.changed.wait(lock, [&] { return group_.unread == 0; });
      group_.message = bytes;
      ++group_.sequence;
      group_.unread = group_.size - 1;
    } else {
      group_.changed.wait(lock, [&] { return group_.sequence > seen_; });
      bytes = group_.message;
      seen_ = group_.sequence;
      --group_.unread;
    }
    group_.changed.notify_all();
  }

 private:
  LocalGroup& group_;
  int rank_;
  std::uint64_t seen_ = 0;
};

/// "Trains" epochs of `polls` batches each, recording what its callbacks answered. With
/// fail_before_report it fails after that epoch without reporting it (a leader whose
/// checkpoint could not be written).
class RecordingRunner : public TrialRunner {
 public:
  struct Record {
    int trial_id = -1;
    int polls = 0;
    std::vector<Verdict> verdicts;
    TrialOutcome::Kind outcome = TrialOutcome::Kind::Finished;
  };
  explicit RecordingRunner(int polls, int fail_before_report = -1)
      : polls_(polls), fail_before_report_(fail_before_report) {}

  TrialOutcome run(const TrialAssignment& t, const EpochCallback& on_epoch,
                   const InterruptCheck& should_stop) override {
    Record r;
    r.trial_id = t.trial_id;
    const auto end = [&](TrialOutcome::Kind kind) {
      r.outcome = kind;
      records.push_back(r);
      return TrialOutcome{kind, ""};
    };
    for (int e = t.start_epoch + 1; e <= t.end_epoch; ++e) {
      for (int b = 0; b < polls_; ++b) {
        ++r.polls;
        if (should_stop()) return end(TrialOutcome::Kind::Interrupted);
      }
      if (e == fail_before_report_) return end(TrialOutcome::Kind::Failed);
      EpochResult result;
      result.epoch = e;
      const Verdict v = on_epoch(result);
      r.verdicts.push_back(v);
      if (v == Verdict::Stop) return end(TrialOutcome::Kind::Stopped);
      if (v == Verdict::Pause) return end(TrialOutcome::Kind::Paused);
    }
    return end(TrialOutcome::Kind::Finished);
  }
  TestResult evaluate_test(const TrialAssignment& t) override {
    evaluated.push_back(t.trial_id);
    return {t.trial_id, 0.5, 0.1};
  }

  std::vector<Record> records;
  std::vector<int> evaluated;

 private:
  int polls_;
  int fail_before_report_;
};

TrialAssignment trial(int id, int epochs) {
  TrialAssignment t;
  t.trial_id = id;
  t.end_epoch = epochs;
  t.params["lr"] = 0.1;
  return t;
}

/// Runs `leader_body` on the leader with K-1 member threads, each with its own runner.
std::vector<RecordingRunner*> run_group(int k, int polls,
                                        const std::function<void(GroupLeaderRunner&)>& leader_body,
                                        int leader_fails_before_report = -1) {
  LocalGroup group(k);
  static std::vector<std::unique_ptr<RecordingRunner>> keep;
  keep.clear();
  std::vector<RecordingRunner*> runners;
  std::vector<std::thread> members;
  std::vector<std::unique_ptr<LocalGroupChannel>> channels;
  for (int r = 0; r < k; ++r) {
    keep.push_back(std::make_unique<RecordingRunner>(polls, r == 0 ? leader_fails_before_report : -1));
    runners.push_back(keep.back().get());
    channels.push_back(std::make_unique<LocalGroupChannel>(group, r));
  }
  for (int r = 1; r < k; ++r) {
    members.emplace_back([&, r] { run_group_member(*channels[r], *runners[r]); });
  }
  // The leader's runner is owned by the GroupLeaderRunner; keep a raw view for checks.
  auto inner = std::move(keep[0]);
  keep[0] = nullptr;
  GroupLeaderRunner leader(*channels[0], std::move(inner));
  leader_body(leader);
  release_group_members(*channels[0]);
  for (auto& m : members) m.join();
  return runners;
}

TEST(GroupRunner, MembersRunTheLeadersTrialsAndFollowItsVerdicts) {
  const auto runners = run_group(3, 4, [](GroupLeaderRunner& leader) {
    int calls = 0;
    const auto outcome = leader.run(
        trial(7, 5),
        [&](const EpochResult&) { return ++calls == 3 ? Verdict::Stop : Verdict::Continue; },
        [] { return false; });
    EXPECT_EQ(outcome.kind, TrialOutcome::Kind::Stopped);
    leader.run(trial(8, 2), [](const EpochResult&) { return Verdict::Continue; },
               [] { return false; });
  });
  for (int r = 1; r < 3; ++r) {
    ASSERT_EQ(runners[r]->records.size(), 2u) << "member " << r;
    const auto& first = runners[r]->records[0];
    EXPECT_EQ(first.trial_id, 7);
    EXPECT_EQ(first.polls, 12) << "polled before each of 4 batches in 3 epochs";
    EXPECT_EQ(first.verdicts,
              (std::vector<Verdict>{Verdict::Continue, Verdict::Continue, Verdict::Stop}));
    EXPECT_EQ(first.outcome, TrialOutcome::Kind::Stopped);
    EXPECT_EQ(runners[r]->records[1].trial_id, 8);
    EXPECT_EQ(runners[r]->records[1].outcome, TrialOutcome::Kind::Finished);
  }
}

TEST(GroupRunner, AnInterruptStopsEveryRankAtTheSameBatch) {
  const auto runners = run_group(2, 10, [](GroupLeaderRunner& leader) {
    int polls = 0;
    const auto outcome = leader.run(
        trial(1, 3), [](const EpochResult&) { return Verdict::Continue; },
        [&] { return ++polls == 14; });
    EXPECT_EQ(outcome.kind, TrialOutcome::Kind::Interrupted);
  });
  ASSERT_EQ(runners[1]->records.size(), 1u);
  EXPECT_EQ(runners[1]->records[0].polls, 14);
  EXPECT_EQ(runners[1]->records[0].outcome, TrialOutcome::Kind::Interrupted);
  EXPECT_EQ(runners[1]->records[0].verdicts.size(), 1u);
}

TEST(GroupRunner, ALeaderEndingOnItsOwnReleasesMembersWaitingForAVerdict) {
  const auto runners = run_group(
      2, 2,
      [](GroupLeaderRunner& leader) {
        const auto outcome = leader.run(
            trial(4, 3), [](const EpochResult&) { return Verdict::Continue; },
            [] { return false; });
        EXPECT_EQ(outcome.kind, TrialOutcome::Kind::Failed);
        // The group goes on with the next command as usual.
        leader.evaluate_test(trial(4, 3));
      },
      /*leader_fails_before_report=*/2);
  ASSERT_EQ(runners[1]->records.size(), 1u);
  EXPECT_EQ(runners[1]->records[0].verdicts,
            (std::vector<Verdict>{Verdict::Continue, Verdict::Stop}))
      << "the member's second report is answered by the leader's end";
  EXPECT_EQ(runners[1]->evaluated, std::vector<int>{4});
}

TEST(GroupRunner, AGroupOfOneNeedsNoMembers) {
  const auto runners = run_group(1, 3, [](GroupLeaderRunner& leader) {
    const auto outcome = leader.run(
        trial(2, 2), [](const EpochResult&) { return Verdict::Continue; }, [] { return false; });
    EXPECT_EQ(outcome.kind, TrialOutcome::Kind::Finished);
  });
  EXPECT_EQ(runners.size(), 1u);
}

}  // namespace
}  // namespace rungs
