#include <gtest/gtest.h>

#include "mpi_driver/protocol.h"
#include "study/errors.h"

namespace rungs::protocol {
namespace {

template <typename T>
T round_trip(const T& message) {
  const Message decoded = decode(encode(message));
  EXPECT_TRUE(std::holds_alternative<T>(decoded));
  return std::get<T>(decoded);
}

TEST(Protocol, AssignKeepsEveryFieldAndValueType) {
  Assign a;
  a.trial.trial_id = 42;
  a.trial.params = {{"lr", 1e-3}, {"layers", std::int64_t{3}}, {"opt", std::string("sgd")},
                    {"nesterov", true}, {"neg", std::int64_t{-5}}};
  a.trial.seed = 0xFFFFFFFFFFFFFFF0ULL;
  a.trial.start_epoch = 3;
  a.trial.end_epoch = 9;
  a.trial.checkpoint = "runs/x/checkpoints/trial_42.pt";
  const Assign b = round_trip(a);
  EXPECT_EQ(b.trial.trial_id, 42);
  EXPECT_EQ(b.trial.params, a.trial.params);
  EXPECT_EQ(b.trial.seed, a.trial.seed);
  EXPECT_EQ(b.trial.start_epoch, 3);
  EXPECT_EQ(b.trial.end_epoch, 9);
  EXPECT_EQ(b.trial.checkpoint, a.trial.checkpoint);
}

TEST(Protocol, ReportsDecisionsAndEndsRoundTrip) {
  EpochReport r{7, {}};
  r.result.epoch = 2;
  r.result.value = 0.875;
  r.result.val_loss = 0.31;
  r.result.train_loss = 0.29;
  r.result.seconds = 1.5;
  const EpochReport r2 = round_trip(r);
  EXPECT_EQ(r2.trial_id, 7);
  EXPECT_EQ(r2.result.epoch, 2);
  EXPECT_DOUBLE_EQ(r2.result.value, 0.875);
  EXPECT_DOUBLE_EQ(r2.result.seconds, 1.5);

  EXPECT_EQ(round_trip(Decision{7, Verdict::Pause}).verdict, Verdict::Pause);
  const TrialEnd e = round_trip(TrialEnd{7, {TrialOutcome::Kind::Failed, "loss became nan"}});
  EXPECT_EQ(e.outcome.kind, TrialOutcome::Kind::Failed);
  EXPECT_EQ(e.outcome.reason, "loss became nan");
  EXPECT_EQ(round_trip(Fatal{"no data"}).reason, "no data");
  EXPECT_EQ(round_trip(TestReport{{3, 0.88, 0.4}, ""}).result.accuracy, 0.88);
  round_trip(Ready{});
  round_trip(Shutdown{});
}

TEST(Protocol, RejectsOtherVersionsAndDamagedMessages) {
  wire::Bytes bytes = encode(Decision{1, Verdict::Stop});
  wire::Bytes other = bytes;
  other[0] = kVersion + 1;
  EXPECT_THROW(decode(other), MpiError);
  wire::Bytes truncated(bytes.begin(), bytes.end() - 1);
  EXPECT_THROW(decode(truncated), MpiError);
  wire::Bytes longer = bytes;
  longer.push_back(0);
  EXPECT_THROW(decode(longer), MpiError);
  wire::Bytes unknown = bytes;
  unknown[1] = 200;
  EXPECT_THROW(decode(unknown), MpiError);
  wire::Bytes bad_verdict = bytes;
  bad_verdict.back() = 9;
  EXPECT_THROW(decode(bad_verdict), MpiError);
}

}  // namespace
}  // namespace rungs::protocol
