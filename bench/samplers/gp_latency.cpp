// Time per suggestion of the gp sampler (not a test): how responsive rank 0 stays as a study
// grows. For each study size N, a history of N completed trials (random configurations of an
// 8-parameter mixed space: 5 floats, one of them log-scaled, an int, a categorical and a
// conditional float, valued by a smooth function) is built, then gp is asked for --repeats
// suggestions on it (the model is fitted from scratch for each, as in a study) and the mean
// CPU and wall milliseconds are printed, next to tpe's on the same history as a peer.
//
//   gp_latency [--sizes 100,300,1000] [--repeats 3] [--max-observations 300] [--seed S]
//
// max_observations caps the trials gp fits to (the best half of the cap and the most recent
// rest); pass a larger value to see the uncapped cost, which grows as N^3.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "samplers/sampler.h"
#include "study/config.h"

using namespace rungs;

namespace {

double thread_cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

std::string arg(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

const StudyConfig& config() {
  static const StudyConfig c = parse_study_config(R"(
name: gp_latency
objective: {model: mlp}
search_space:
  x0: {type: float, low: -5.0, high: 5.0}
  x1: {type: float, low: -5.0, high: 5.0}
  x2: {type: float, low: -5.0, high: 5.0}
  x3: {type: float, low: -5.0, high: 5.0}
  lr: {type: float, low: 1.0e-5, high: 1.0, log: true}
  width: {type: int, low: 16, high: 1024, log: true}
  optimizer: {type: categorical, choices: [sgd, adam, adamw]}
  momentum: {type: float, low: 0.0, high: 0.99, when: {optimizer: [sgd]}}
budget: {max_trials: 1, epochs: 1}
)",
                                                  "gp_latency");
  return c;
}

double value_of(const Params& p) {
  double v = 0;
  for (const char* x : {"x0", "x1", "x2", "x3"}) v += std::pow(std::get<double>(p.at(x)) - 1, 2);
  v += std::pow(std::log10(std::get<double>(p.at("lr"))) + 3, 2);
  v += std::abs(std::log2(static_cast<double>(std::get<std::int64_t>(p.at("width")))) - 7);
  if (p.count("momentum")) v += std::get<double>(p.at("momentum"));
  return v;
}

std::vector<TrialRecord> history(int n, std::uint64_t seed) {
  auto random = make_sampler(AlgorithmOptions("random", {}, "bench"), config().space,
                             Direction::Minimize, seed);
  std::vector<TrialRecord> trials;
  for (int id = 0; id < n; ++id) {
    TrialRecord t;
    t.id = id;
    t.params = *random->suggest(id, trials);
    t.status = TrialStatus::Completed;
    t.max_epochs = 1;
    EpochResult r;
    r.epoch = 1;
    r.value = value_of(t.params);
    t.curve.push_back(r);
    trials.push_back(std::move(t));
  }
  return trials;
}

struct Timing {
  double cpu_ms = 0, wall_ms = 0;
};

Timing time_suggestions(const AlgorithmOptions& options, const std::vector<TrialRecord>& trials,
                        int repeats, std::uint64_t seed) {
  auto sampler = make_sampler(options, config().space, Direction::Minimize, seed);
  Timing t;
  for (int k = 0; k < repeats; ++k) {
    const double cpu = thread_cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    sampler->suggest(static_cast<int>(trials.size()) + k, trials);
    t.wall_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    t.cpu_ms += thread_cpu_ms() - cpu;
  }
  t.cpu_ms /= repeats;
  t.wall_ms /= repeats;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = std::stoi(arg(argc, argv, "--repeats", "3"));
  const long long cap = std::stoll(arg(argc, argv, "--max-observations", "300"));
  const auto seed = static_cast<std::uint64_t>(std::stoull(arg(argc, argv, "--seed", "1")));
  std::vector<int> sizes;
  std::stringstream in(arg(argc, argv, "--sizes", "100,300,1000"));
  for (std::string item; std::getline(in, item, ',');) sizes.push_back(std::stoi(item));
  if (repeats < 1 || sizes.empty()) {
    std::fprintf(stderr, "usage: gp_latency [--sizes 100,300,1000] [--repeats 3] [--max-observations 300]\n");
    return 2;
  }
  std::printf("%8s %18s %18s %14s %12s\n", "trials", "gp cpu ms/suggest", "gp wall ms/suggest",
              "tpe cpu ms", "gp / tpe");
  for (const int n : sizes) {
    const auto trials = history(n, seed);
    const Timing gp = time_suggestions(
        AlgorithmOptions("gp", {{"max_observations", static_cast<std::int64_t>(cap)}}, "bench"),
        trials, repeats, seed);
    const Timing tpe = time_suggestions(AlgorithmOptions("tpe", {}, "bench"), trials, repeats, seed);
    std::printf("%8d %18.1f %18.1f %14.2f %12.0f\n", n, gp.cpu_ms, gp.wall_ms, tpe.cpu_ms,
                gp.cpu_ms / tpe.cpu_ms);
    std::fflush(stdout);
  }
  std::printf("(gp fitted to at most %lld trials; 8 parameters; mean of %d suggestions)\n", cap, repeats);
  return 0;
}
