// A program's trial on a group of 2 ranks (command/program_group.h), the ranks as threads
// over an in-process GroupLink and the program a real shell script on the client protocol:
// decisions reach both ranks, a member's death fails the trial naming it, the leader's
// failure ends a member at once, an interrupt pauses both, and "address already in use"
// before the first report runs both again.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <set>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "command/program_group.h"
#include "tests/temp_dir.h"

namespace rungs {
namespace {

/// Every rank's inbox, behind one lock.
struct LocalLinks {
  std::mutex mutex;
  std::vector<std::deque<std::pair<int, wire::Bytes>>> inbox{2};
};

class LocalLink final : public GroupLink {
 public:
  LocalLink(LocalLinks& links, int rank) : links_(links), rank_(rank) {}
  int rank() const override { return rank_; }
  int size() const override { return 2; }
  void send(int to, wire::Bytes bytes) override {
    std::lock_guard<std::mutex> lock(links_.mutex);
    links_.inbox[to].emplace_back(rank_, std::move(bytes));
  }
  std::optional<std::pair<int, wire::Bytes>> receive() override {
    std::lock_guard<std::mutex> lock(links_.mutex);
    auto& mine = links_.inbox[rank_];
    if (mine.empty()) return std::nullopt;
    auto m = std::move(mine.front());
    mine.pop_front();
    return m;
  }

 private:
  LocalLinks& links_;
  int rank_;
};

/// Reports every epoch of its range on fd 3 and obeys each decision; writes what it was
/// started with to env.txt; rank 0 reports an epoch once rank 1 got there. DIE_AT=E: rank 1
/// kills itself before reporting epoch E (rank 0 then waits for it for ever).
/// SQUAT: rank 0's first run fails as torch does when MASTER_PORT is taken. NAN_AT=E: rank 0
/// reports val_loss nan at epoch E. IGNORE_STOP: told to stop or pause, it sleeps on.
constexpr const char* kScript = R"SH(
echo "$RANK $WORLD_SIZE $MASTER_ADDR $MASTER_PORT $RUNGS_GROUP_RANK $RUNGS_GROUP_SIZE" >> env.txt
if [ -n "$SQUAT" ] && [ "$RANK" = 0 ] && [ ! -e squatted ]; then
  touch squatted
  echo "RuntimeError: The server socket has failed to bind (errno: 98 - Address already in use)" >&2
  exit 1
fi
e=$RUNGS_START_EPOCH
while [ "$e" -lt "$RUNGS_END_EPOCH" ]; do
  e=$((e + 1))
  if [ "$RANK" = 1 ] && [ -n "$DIE_AT" ] && [ "$e" -ge "$DIE_AT" ]; then kill -9 $$; fi
  # In step, as ranks joined by collectives are: rank 0 waits for rank 1 to reach epoch e.
  if [ "$RANK" = 1 ]; then touch at.$e; else while [ ! -e at.$e ]; do sleep 0.01; done; fi
  v=0.5; if [ "$RANK" = 0 ] && [ "$e" = "$NAN_AT" ]; then v='"nan"'; fi
  echo "{\"v\": 1, \"type\": \"report\", \"epoch\": $e, \"metrics\": {\"val_loss\": $v}}" >&3
  while read -r line <&3; do case "$line" in *interrupt*) ;; *) break ;; esac; done
  echo "$RANK $e $line" >> decisions.txt
  case "$line" in *continue*) ;; *) if [ -n "$IGNORE_STOP" ]; then sleep 600; fi; exit 0 ;; esac
done
)SH";

struct Group {
  testing::TempDir dir;
  CommandSettings settings;
  TrialAssignment trial;
  LocalLinks links;
  LocalLink leader_link{links, 0}, member_link{links, 1};
  int epochs_seen = 0;

  Group() {
    const std::string script = dir.file("program.sh");
    std::ofstream(script) << kScript;
    settings.objective.command = {"/bin/sh", script};
    settings.objective.metric = "val_loss";
    settings.objective.timeouts.start = 30;
    settings.objective.timeouts.stop = 2;
    settings.output_dir = dir.path();
    settings.max_epochs = 3;
    trial.trial_id = 0;
    trial.end_epoch = 3;
    trial.checkpoint = dir.file("checkpoints/trial_0");
  }
  /// env.txt: what each rank's run was started with, by rank (the last run of each).
  std::map<std::string, std::vector<std::string>> runs() const {
    std::map<std::string, std::vector<std::string>> out;
    std::istringstream env(trial_file("env.txt"));
    for (std::string line; std::getline(env, line);) {
      std::istringstream f(line);
      std::vector<std::string> fields;
      for (std::string w; f >> w;) fields.push_back(w);
      if (!fields.empty()) out[fields[0]] = fields;
    }
    return out;
  }
  std::string trial_file(const std::string& name) const {
    std::ifstream in(dir.file("trials/0/" + name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// Runs the trial on both "ranks"; `interrupt_after`: should_stop turns true once that
  /// many epochs were reported.
  TrialOutcome run(int interrupt_after = -1) {
    std::thread member([&] { run_program_group_member(settings, member_link, ProgramRank{}); });
    TrialOutcome outcome;
    {
      const auto leader = make_program_group_leader(settings, leader_link, ProgramRank{});
      outcome = leader->run(
          trial, [&](const EpochResult&) { return ++epochs_seen, Verdict::Continue; },
          [&] { return interrupt_after >= 0 && epochs_seen >= interrupt_after; });
    }
    release_program_group_members(leader_link);
    member.join();
    return outcome;
  }
};

TEST(ProgramGroup, EveryRankRunsWithItsEnvironmentAndGetsTheLeadersDecisions) {
  Group g;
  const TrialOutcome o = g.run();
  // Told "stop" after the budget's last epoch, as a single-rank trial is.
  EXPECT_EQ(o.kind, TrialOutcome::Kind::Stopped) << o.reason;
  EXPECT_EQ(g.epochs_seen, 3);  // only the leader's reports reach the coordinator
  const auto runs = g.runs();
  ASSERT_EQ(runs.size(), 2u) << g.trial_file("env.txt");
  const std::string port = runs.at("0")[3];
  EXPECT_EQ(runs.at("0"), (std::vector<std::string>{"0", "2", "127.0.0.1", port, "0", "2"}));
  EXPECT_EQ(runs.at("1"), (std::vector<std::string>{"1", "2", "127.0.0.1", port, "1", "2"}));
  const std::string decisions = g.trial_file("decisions.txt");
  for (const char* line : {"0 3 ", "1 3 "}) {
    const auto at = decisions.find(line);
    ASSERT_NE(at, std::string::npos) << decisions;
    EXPECT_NE(decisions.find("\"stop\"", at), std::string::npos) << decisions;
  }
}

TEST(ProgramGroup, AMemberThatDiesFailsTheTrialNamingIt) {
  Group g;
  ::setenv("DIE_AT", "2", 1);
  const TrialOutcome o = g.run();
  ::unsetenv("DIE_AT");
  EXPECT_EQ(o.kind, TrialOutcome::Kind::Failed);
  EXPECT_EQ(o.reason.rfind("rank 1 of 2: killed by SIGKILL after epoch 1", 0), 0u) << o.reason;
}

TEST(ProgramGroup, ALeadersFailureEndsAMemberAtOnceEvenOneToldToStop) {
  Group g;
  // Were the member given timeouts.stop after its "stop", rungs.log would say it was still
  // running 30 s later.
  g.settings.objective.timeouts.stop = 30;
  ::setenv("NAN_AT", "2", 1);
  ::setenv("IGNORE_STOP", "1", 1);
  const TrialOutcome o = g.run();
  ::unsetenv("NAN_AT");
  ::unsetenv("IGNORE_STOP");
  EXPECT_EQ(o.kind, TrialOutcome::Kind::Failed);
  EXPECT_EQ(o.reason, "rank 0 of 2: val_loss became nan at epoch 2");
  // "after epoch 2": its report of epoch 2 was taken, which the leader never decided on, so
  // it was answered "stop" when End came, and then TERMed without its timeouts.stop.
  const std::string log = g.trial_file("rungs.log");
  EXPECT_NE(log.find("rank 1: attempt 1: ended by its group: SIGTERM"), std::string::npos) << log;
  EXPECT_EQ(log.find("still running"), std::string::npos) << log;
  EXPECT_NE(log.find("rank 1: attempt 1: ended with killed by SIGTERM after epoch 2"),
            std::string::npos)
      << log;
}

TEST(ProgramGroup, AnInterruptPausesEveryRank) {
  Group g;
  const TrialOutcome o = g.run(/*interrupt_after=*/1);
  EXPECT_EQ(o.kind, TrialOutcome::Kind::Interrupted) << o.reason;
  const std::string decisions = g.trial_file("decisions.txt");
  EXPECT_NE(decisions.find("1 2 {\"decision\":\"pause\""), std::string::npos) << decisions;
}

TEST(ProgramGroup, AddressInUseBeforeTheFirstReportRunsEveryRankAgainOnAnotherPort) {
  Group g;
  ::setenv("SQUAT", "1", 1);
  const TrialOutcome o = g.run();
  ::unsetenv("SQUAT");
  EXPECT_EQ(o.kind, TrialOutcome::Kind::Stopped) << o.reason;
  std::istringstream env(g.trial_file("env.txt"));
  std::set<std::string> leader_ports, member_ports;
  for (std::string line; std::getline(env, line);) {
    std::istringstream f(line);
    std::string rank, size, addr, port;
    f >> rank >> size >> addr >> port;
    (rank == "0" ? leader_ports : member_ports).insert(port);
  }
  EXPECT_EQ(leader_ports.size(), 2u) << g.trial_file("env.txt");
  EXPECT_EQ(leader_ports, member_ports) << "the member ran again on the leader's new port";
  EXPECT_NE(g.trial_file("rungs.log").find("was taken (address already in use)"), std::string::npos)
      << g.trial_file("rungs.log");
  EXPECT_TRUE(std::ifstream(g.dir.file("trials/0/attempt_2.rank1.out")).good());
}

}  // namespace
}  // namespace rungs
