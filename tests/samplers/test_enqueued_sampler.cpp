// `enqueue:` in front of a sampler: queued configurations first, in order, the sampler
// filling what they leave out, and the sampler alone after them.
#include <gtest/gtest.h>

#include "samplers/enqueued_sampler.h"
#include "study/config.h"

namespace rungs {
namespace {

StudyConfig config(const std::string& enqueue) {
  return parse_study_config(R"(
name: t
objective: {model: mlp}
search_space:
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
  width: {type: int, low: 32, high: 512, step: 32}
  optimizer: {type: categorical, choices: [sgd, adam, adamw]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
sampler: random
budget: {max_trials: 100, epochs: 1}
)" + enqueue,
                            "t.yaml");
}

std::vector<Params> suggestions(const StudyConfig& c, int n) {
  auto sampler = make_study_sampler(c);
  std::vector<TrialRecord> trials;
  std::vector<Params> out;
  for (int id = 0; id < n; ++id) {
    TrialRecord t;
    t.id = id;
    t.params = *sampler->suggest(id, trials);
    out.push_back(t.params);
    trials.push_back(std::move(t));
  }
  return out;
}

TEST(EnqueuedSampler, QueuedConfigurationsComeFirstThenTheSampler) {
  const std::vector<Params> alone = suggestions(config(""), 8);
  const StudyConfig c = config(
      "enqueue:\n  - {lr: 0.001, width: 64, optimizer: sgd, momentum: 0.9}\n  - {width: 256}\n");
  const std::vector<Params> with = suggestions(c, 8);

  EXPECT_EQ(with[0], c.enqueue[0]) << "a complete configuration is tried as it is";
  EXPECT_TRUE(c.space.is_valid(with[1])) << to_string(with[1]);
  EXPECT_EQ(with[1].at("width"), ParamValue(std::int64_t{256}));
  Params filled = alone[1];
  filled["width"] = std::int64_t{256};
  EXPECT_EQ(with[1], filled) << "the sampler's own suggestion fills the rest";
  for (int id = 2; id < 8; ++id) EXPECT_EQ(with[id], alone[id]) << "trial " << id;
}

TEST(EnqueuedSampler, AQueuedParentGetsItsChildrenFilled) {
  const StudyConfig c = config("enqueue: [" + std::string(
      "{optimizer: sgd}, {optimizer: sgd}, {optimizer: sgd}, {optimizer: sgd}, {optimizer: sgd}, "
      "{optimizer: adam}, {optimizer: adam}, {optimizer: adam}, {optimizer: adam}, {optimizer: adam}]\n"));
  const std::vector<Params> with = suggestions(c, 10);
  for (int id = 0; id < 10; ++id) {
    EXPECT_TRUE(c.space.is_valid(with[id])) << to_string(with[id]);
    EXPECT_EQ(with[id].at("optimizer"), c.enqueue[id].at("optimizer"));
    EXPECT_EQ(with[id].count("momentum"), id < 5 ? 1u : 0u) << to_string(with[id]);
  }
  EXPECT_EQ(suggestions(c, 10), with) << "the same seed fills the same values";
}

}  // namespace
}  // namespace rungs
