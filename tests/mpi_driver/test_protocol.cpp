#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

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

template <typename T>
struct is_list : std::false_type {};
template <typename T>
struct is_list<std::vector<T>> : std::true_type {};

/// Calls `leaf(a_field, b_field)` for every leaf field of two records, nested ones included;
/// a list's leaves are its length and, when both have the same, its elements' leaves.
template <typename T, typename Leaf>
void for_each_leaf(const T& a, const T& b, Leaf&& leaf) {
  if constexpr (is_list<T>::value) {
    leaf(a.size(), b.size());
    if (a.size() == b.size()) {
      for (std::size_t i = 0; i < a.size(); ++i) for_each_leaf(a[i], b[i], leaf);
    }
  } else if constexpr (std::is_class_v<T> && !std::is_same_v<T, std::string> &&
                       !std::is_same_v<T, Params>) {
    if constexpr (!std::is_empty_v<T>) {
      std::apply([&](const auto&... fa) {
        std::apply([&](const auto&... fb) { (for_each_leaf(fa, fb, leaf), ...); }, fields(b));
      }, fields(a));
    }
  } else {
    leaf(a, b);
  }
}

/// Round-trips `message` and expects every field back; `message` must set every field to a
/// value other than its default, so that a field the encoding dropped cannot go unseen.
template <typename T>
void expect_whole_round_trip(const T& message) {
  int leaves = 0, defaults = 0, different = 0;
  for_each_leaf(message, T{}, [&](const auto& set, const auto& fresh) {
    ++leaves;
    if (set == fresh) ++defaults;
  });
  EXPECT_EQ(defaults, 0) << "the sample leaves " << defaults << " of " << leaves
                         << " fields at their defaults";
  const T back = round_trip(message);
  for_each_leaf(message, back, [&](const auto& sent, const auto& got) {
    if (!(sent == got)) ++different;
  });
  EXPECT_EQ(different, 0) << different << " of " << leaves << " fields changed on the wire";
}

TEST(Protocol, AssignKeepsEveryFieldAndValueType) {
  Assign a;
  a.trial.trial_id = 42;
  a.trial.params = {{"lr", 1e-3}, {"layers", std::int64_t{3}}, {"opt", std::string("sgd")},
                    {"nesterov", true}, {"neg", std::int64_t{-5}}};
  a.trial.seed = 0xFFFFFFFFFFFFFFF0ULL;
  a.trial.start_epoch = 3;
  a.trial.end_epoch = 9;
  a.trial.checkpoint = "runs/x/checkpoints/trial_42";
  a.trial.checkpoint_every = 4;
  expect_whole_round_trip(a);
  EXPECT_EQ(round_trip(a).trial.checkpoint_every, 4);  // checkpoints.every reaches the worker
  expect_whole_round_trip(Evaluate{a.trial});
}

TEST(Protocol, EveryMessageKeepsEveryField) {
  EpochReport r{7, {}};
  r.result.epoch = 2;
  r.result.value = 0.875;
  r.result.metrics = {{"val_accuracy", 0.875}, {"bleu", 31.5}, {"train_loss", 0.29}};
  r.result.seconds = 1.5;
  r.result.time = 12.25;
  r.result.checkpointed = true;
  expect_whole_round_trip(r);
  expect_whole_round_trip(Decision{7, Verdict::Pause});
  expect_whole_round_trip(TrialEnd{7, {TrialOutcome::Kind::Failed, "loss became nan"}});
  expect_whole_round_trip(Fatal{"no data"});
  expect_whole_round_trip(TestReport{{3, 0.88, 0.4}, "out of memory"});
  round_trip(Ready{});
  round_trip(Shutdown{});
  round_trip(Interrupt{});
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
