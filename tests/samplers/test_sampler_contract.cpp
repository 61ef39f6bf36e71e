// One contract, every sampler (samplers/sampler.h): suggestions are valid for the space
// (bounds, log scale, steps, exact categorical values, conditional parameters present only
// when active), reproducible from the seed, unaffected by a restart, and distinct when many
// trials are running at once.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <type_traits>

#include "sampler_test_util.h"
#include "samplers/enqueued_sampler.h"

namespace rungs {
namespace {

using testing::make_trial;
using testing::run_study;
using testing::sampler_options;

const StudyConfig& config() {
  static const StudyConfig c = parse_study_config(R"(
name: contract
objective: {model: mlp}
search_space:
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true, grid: [1.0e-4, 1.0e-2]}
  width: {type: int, low: 32, high: 512, step: 32, grid: [32, 512]}
  dropout: {type: float, low: 0.0, high: 0.5, step: 0.1}
  layers: {type: int, low: 1, high: 8, log: true, grid: [1, 8]}
  fixed: {type: float, low: 2.0, high: 2.0}
  optimizer: {type: categorical, choices: [sgd, adam, adamw]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}, grid: [0.0, 0.9]}
  schedule: {type: categorical, choices: [cosine, step], when: {optimizer: [adam, adamw]}}
  step_size: {type: int, low: 1, high: 10, when: {schedule: [step]}}
budget: {max_trials: 1, epochs: 1}
)",
                                                  "t.yaml");
  return c;
}

// A smooth objective over the whole space, so that model-based samplers have something
// to learn and explore both branches.
double objective(const Params& p) {
  double v = std::pow(std::log10(std::get<double>(p.at("lr"))) + 2.5, 2);
  v += std::abs(static_cast<double>(std::get<std::int64_t>(p.at("width"))) - 200) / 100;
  v += std::get<double>(p.at("dropout"));
  if (p.at("optimizer") == ParamValue(std::string("sgd")))
    v += std::abs(std::get<double>(p.at("momentum")) - 0.9);
  if (p.count("step_size"))
    v += static_cast<double>(std::get<std::int64_t>(p.at("step_size"))) / 10;
  return v;
}

struct Random {
  static AlgorithmOptions options() { return sampler_options("random"); }
};
struct Grid {
  static AlgorithmOptions options() { return sampler_options("grid"); }
};
struct Sobol {
  static AlgorithmOptions options() { return sampler_options("sobol"); }
};
struct Tpe {
  static AlgorithmOptions options() {
    return sampler_options("tpe", {{"n_startup_trials", std::int64_t{8}}});
  }
};
struct TpeMultivariate {
  static AlgorithmOptions options() {
    return sampler_options("tpe", {{"n_startup_trials", std::int64_t{8}}, {"multivariate", true}});
  }
};

struct TpeGlobalSplit {
  static AlgorithmOptions options() {
    return sampler_options(
        "tpe", {{"n_startup_trials", std::int64_t{8}}, {"split", std::string("global")}});
  }
};
struct Default {  // a study file without `sampler:`
  static AlgorithmOptions options() { return default_sampler("t.yaml: sampler"); }
};

struct Gp {
  static AlgorithmOptions options() {
    return sampler_options("gp", {{"n_startup_trials", std::int64_t{8}}});
  }
};

struct Nsga2 {
  static AlgorithmOptions options() { return sampler_options("nsga2", {{"population", std::int64_t{10}}}); }
};

// TPE behind an `enqueue:` list of partial configurations (samplers/enqueued_sampler.h).
struct EnqueuedTpe {
  static AlgorithmOptions options() { return Tpe::options(); }
  static std::vector<Params> queue() {
    return {{{"optimizer", std::string("sgd")}},
            {{"lr", 0.01}, {"optimizer", std::string("adam")}, {"schedule", std::string("step")}},
            {{"width", std::int64_t{64}}}};
  }
};

template <typename T, typename = void>
struct HasQueue : std::false_type {};
template <typename T>
struct HasQueue<T, std::void_t<decltype(T::queue())>> : std::true_type {};

template <typename T>
class SamplerContract : public ::testing::Test {
 protected:
  std::unique_ptr<Sampler> make(std::uint64_t seed) {
    auto sampler = make_sampler(T::options(), config().space, Direction::Minimize, seed,
                                testing::kObjective);
    if constexpr (HasQueue<T>::value) {
      return std::make_unique<EnqueuedSampler>(std::move(sampler), T::queue(), config().space, seed);
    }
    return sampler;
  }
  std::vector<TrialRecord> study(std::uint64_t seed, int n) {
    auto sampler = make(seed);
    std::vector<TrialRecord> trials;
    run_study(*sampler, objective, n, trials);
    return trials;
  }
};

using Samplers = ::testing::Types<Random, Grid, Sobol, Tpe, TpeMultivariate, TpeGlobalSplit,
                                 Default, Gp, EnqueuedTpe, Nsga2>;
TYPED_TEST_SUITE(SamplerContract, Samplers);

TYPED_TEST(SamplerContract, EverySuggestionIsInTheSpaceWithExactlyTheActiveParameters) {
  const auto trials = this->study(7, 120);
  ASSERT_EQ(trials.size(), 120u);
  std::set<std::string> optimizers;
  int with_momentum = 0, with_step_size = 0;
  for (const auto& t : trials) {
    const Params& p = t.params;
    // is_valid: each active parameter present with the right type, in bounds, on its step
    // grid, categorical values exactly one of the choices; inactive ones absent.
    ASSERT_TRUE(config().space.is_valid(p)) << to_string(p);
    const double lr = std::get<double>(p.at("lr"));
    EXPECT_TRUE(lr >= 1e-5 && lr <= 1.0);
    EXPECT_EQ(std::get<std::int64_t>(p.at("width")) % 32, 0);
    const double dropout = std::get<double>(p.at("dropout"));
    EXPECT_DOUBLE_EQ(dropout, 0.1 * std::round(dropout * 10));
    EXPECT_EQ(std::get<double>(p.at("fixed")), 2.0);
    const std::string optimizer = std::get<std::string>(p.at("optimizer"));
    optimizers.insert(optimizer);
    EXPECT_EQ(p.count("momentum"), optimizer == "sgd" ? 1u : 0u) << to_string(p);
    EXPECT_EQ(p.count("schedule"), optimizer == "sgd" ? 0u : 1u) << to_string(p);
    const bool stepped = p.count("schedule") && p.at("schedule") == ParamValue(std::string("step"));
    EXPECT_EQ(p.count("step_size"), stepped ? 1u : 0u) << to_string(p);
    with_momentum += static_cast<int>(p.count("momentum"));
    with_step_size += static_cast<int>(p.count("step_size"));
  }
  EXPECT_EQ(optimizers.size(), 3u);
  EXPECT_GT(with_momentum, 0);
  EXPECT_GT(with_step_size, 0);
}

TYPED_TEST(SamplerContract, SameSeedSameSuggestionsOtherSeedOthers) {
  const auto a = this->study(3, 40), b = this->study(3, 40), c = this->study(4, 40);
  ASSERT_EQ(a.size(), b.size());
  bool all_same_as_c = true;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].params, b[i].params) << "trial " << i;
    all_same_as_c = all_same_as_c && a[i].params == c[i].params;
  }
  EXPECT_FALSE(all_same_as_c);
}

TYPED_TEST(SamplerContract, ARestartedSamplerContinuesTheSameSequence) {
  // Preemption: a new sampler with the saved state and the recorded trials suggests what
  // the original would have.
  auto original = this->make(11);
  std::vector<TrialRecord> trials;
  run_study(*original, objective, 30, trials);
  auto restarted = this->make(11);
  restarted->load_state(original->save_state());
  std::vector<TrialRecord> copy = trials;
  run_study(*original, objective, 15, trials);
  run_study(*restarted, objective, 15, copy);
  for (std::size_t i = 30; i < trials.size(); ++i)
    EXPECT_EQ(trials[i].params, copy[i].params) << "trial " << i;
}

TYPED_TEST(SamplerContract, ManyWorkersAskingAtOnceGetDistinctSuggestions) {
  auto sampler = this->make(5);
  std::vector<TrialRecord> trials;
  run_study(*sampler, objective, 20, trials);
  // 24 idle workers ask before any of them reports: every trial so far is running.
  std::set<Params> seen;
  for (int k = 0; k < 24; ++k) {
    const int id = static_cast<int>(trials.size());
    auto params = sampler->suggest(id, trials);
    ASSERT_TRUE(params.has_value());
    EXPECT_TRUE(seen.insert(*params).second) << "trial " << id << " repeats " << to_string(*params);
    trials.push_back(make_trial(id, *params, TrialStatus::Running));
  }
}

}  // namespace
}  // namespace rungs
