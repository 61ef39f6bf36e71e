// Benchmarks of the samplers (not tests): suggestion latency of TPE as a study grows, and
// search quality on standard test functions. bench/samplers/run.sh runs this next to
// optuna_bench.py and prints the tables.
//
//   sampler_bench latency [--trials N] [--params D] [--report N1,N2,...] [--window W] [--seed S]
//                         [--multivariate] [--sampler tpe|random|sobol]
//     One sequential study (TPE unless --sampler) of N trials on a shifted sphere over D
//     float parameters.
//     Prints the mean ms per suggestion over all trials, over the last 100, and over the W
//     suggestions before each reported size.
//   sampler_bench gp-latency [--sizes 100,300,1000] [--repeats 3] [--max-observations 300]
//     Time per suggestion of gp as a study grows: for each size N, a history of N completed
//     trials (random configurations of an 8-parameter mixed space: 5 floats, one of them
//     log-scaled, a log-scaled int, a categorical and a conditional float, valued by a smooth
//     function), then the mean CPU and wall ms of --repeats gp suggestions on it (the model
//     is fitted from scratch for each, as in a study), next to tpe's on the same history.
//     --max-observations caps the trials gp fits to; a larger value shows the uncapped cost.
//   sampler_bench quality [--trials N] [--seeds K] [--first-seed S] [--samplers tpe,random,sobol]
//     (--samplers entries as sampler_spec.h reads them: default, tpe-mv, NAME:KEY=VALUE...)
//     For each test function and sampler: the best value of each seed's study (seeds S..S+K-1).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "sampler_spec.h"
#include "samplers/sampler.h"
#include "study/config.h"
#include "test_functions.h"

using namespace rungs;

namespace {

// CPU time of this thread: on a shared machine, steadier than wall time.
double thread_cpu_ms() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) * 1e-6;
}

std::string arg(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 2; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}
bool flag(int argc, char** argv, const char* name) {
  for (int i = 2; i < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return true;
  }
  return false;
}
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

SearchSpace box(const std::vector<double>& low, const std::vector<double>& high) {
  std::vector<ParamSpec> specs;
  for (std::size_t i = 0; i < low.size(); ++i) {
    ParamSpec s;
    s.name = "x" + std::to_string(i);
    s.low = low[i];
    s.high = high[i];
    specs.push_back(s);
  }
  return SearchSpace(specs);
}

std::vector<double> point(const Params& p, std::size_t d) {
  std::vector<double> x(d);
  for (std::size_t i = 0; i < d; ++i) x[i] = std::get<double>(p.at("x" + std::to_string(i)));
  return x;
}

TrialRecord completed(int id, Params params, double value) {
  TrialRecord t;
  t.id = id;
  t.params = std::move(params);
  t.status = TrialStatus::Completed;
  t.max_epochs = 1;
  EpochResult r;
  r.epoch = 1;
  r.value = value;
  t.curve.push_back(r);
  return t;
}

int latency(int argc, char** argv) {
  const int n = std::stoi(arg(argc, argv, "--trials", "1000"));
  const auto d = static_cast<std::size_t>(std::stoi(arg(argc, argv, "--params", "8")));
  const int window = std::stoi(arg(argc, argv, "--window", "100"));
  const auto seed = static_cast<std::uint64_t>(std::stoull(arg(argc, argv, "--seed", "1")));
  std::vector<int> report;
  for (const auto& s : split(arg(argc, argv, "--report", std::to_string(n))))
    report.push_back(std::stoi(s));
  std::map<std::string, ParamValue> options;
  if (flag(argc, argv, "--multivariate")) options["multivariate"] = true;
  const std::string name = arg(argc, argv, "--sampler", "tpe");
  const SearchSpace space = box(std::vector<double>(d, -5.0), std::vector<double>(d, 5.0));
  auto sampler = make_sampler(AlgorithmOptions(name, options, "bench: sampler"), space,
                              Direction::Minimize, seed);
  std::vector<TrialRecord> trials;
  trials.reserve(static_cast<std::size_t>(n));
  std::vector<double> ms(static_cast<std::size_t>(n)), cpu(static_cast<std::size_t>(n));
  for (int id = 0; id < n; ++id) {
    const double cpu_start = thread_cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    auto params = sampler->suggest(id, trials);
    const auto stop = std::chrono::steady_clock::now();
    cpu[static_cast<std::size_t>(id)] = thread_cpu_ms() - cpu_start;
    ms[static_cast<std::size_t>(id)] =
        std::chrono::duration<double, std::milli>(stop - start).count();
    const auto x = point(*params, d);
    double v = 0;
    for (std::size_t i = 0; i < d; ++i)
      v += (x[i] - 0.5 * static_cast<double>(i % 3)) * (x[i] - 0.5 * static_cast<double>(i % 3));
    trials.push_back(completed(id, std::move(*params), v));
    sampler->on_trial_end(trials.back());
  }
  auto mean = [&](const std::vector<double>& v, int from, int to) {
    from = std::max(from, 0);
    return std::accumulate(v.begin() + from, v.begin() + to, 0.0) / std::max(1, to - from);
  };
  std::printf(
      "{\"impl\": \"rungs\", \"sampler\": \"%s\", \"trials\": %d, \"params\": %zu, \"window\": %d, "
      "\"mean_ms\": %.6f, \"last100_ms\": %.6f, \"mean_cpu_ms\": %.6f, \"last100_cpu_ms\": %.6f",
      name.c_str(), n, d, window, mean(ms, 0, n), mean(ms, n - 100, n), mean(cpu, 0, n),
      mean(cpu, n - 100, n));
  for (int r : report) {
    if (r <= n)
      std::printf(", \"at_%d_ms\": %.6f, \"at_%d_cpu_ms\": %.6f", r, mean(ms, r - window, r), r,
                  mean(cpu, r - window, r));
  }
  std::printf("}\n");
  return 0;
}

const StudyConfig& gp_config() {
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

std::vector<TrialRecord> gp_history(int n, std::uint64_t seed) {
  auto random = make_sampler(AlgorithmOptions("random", {}, "bench"), gp_config().space,
                             Direction::Minimize, seed);
  std::vector<TrialRecord> trials;
  for (int id = 0; id < n; ++id) {
    Params params = *random->suggest(id, trials);
    const double v = value_of(params);
    trials.push_back(completed(id, std::move(params), v));
  }
  return trials;
}

struct Timing {
  double cpu_ms = 0, wall_ms = 0;
};

Timing time_suggestions(const AlgorithmOptions& options, const std::vector<TrialRecord>& trials,
                        int repeats, std::uint64_t seed) {
  auto sampler = make_sampler(options, gp_config().space, Direction::Minimize, seed);
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

int gp_latency(int argc, char** argv) {
  const int repeats = std::stoi(arg(argc, argv, "--repeats", "3"));
  const long long cap = std::stoll(arg(argc, argv, "--max-observations", "300"));
  const auto seed = static_cast<std::uint64_t>(std::stoull(arg(argc, argv, "--seed", "1")));
  std::vector<int> sizes;
  for (const auto& size : split(arg(argc, argv, "--sizes", "100,300,1000"))) sizes.push_back(std::stoi(size));
  if (repeats < 1 || sizes.empty()) {
    std::fprintf(stderr, "usage: sampler_bench gp-latency [--sizes N,...] [--repeats K] "
                         "[--max-observations M]\n");
    return 2;
  }
  std::printf("%8s %18s %18s %14s %12s\n", "trials", "gp cpu ms/suggest", "gp wall ms/suggest",
              "tpe cpu ms", "gp / tpe");
  for (const int n : sizes) {
    const auto trials = gp_history(n, seed);
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

int quality(int argc, char** argv) {
  const int n = std::stoi(arg(argc, argv, "--trials", "200"));
  const int seeds = std::stoi(arg(argc, argv, "--seeds", "20"));
  const int first_seed = std::stoi(arg(argc, argv, "--first-seed", "0"));
  const auto names = split(arg(argc, argv, "--samplers", "tpe,random,sobol"));
  for (const auto& fn : bench::test_functions()) {
    const SearchSpace space = box(fn.low, fn.high);
    for (const auto& name : names) {
      std::printf("{\"impl\": \"rungs\", \"sampler\": \"%s\", \"function\": \"%s\", \"best\": [",
                  name.c_str(), fn.name.c_str());
      for (int s = 0; s < seeds; ++s) {
        auto sampler = make_sampler(bench::sampler_options(name), space, Direction::Minimize,
                                    static_cast<std::uint64_t>(first_seed + s));
        std::vector<TrialRecord> trials;
        double best = 1e300;
        for (int id = 0; id < n; ++id) {
          auto params = sampler->suggest(id, trials);
          const double v = fn.f(point(*params, static_cast<std::size_t>(fn.dims)));
          best = std::min(best, v);
          trials.push_back(completed(id, std::move(*params), v));
        }
        std::printf("%s%.10g", s ? ", " : "", best);
      }
      std::printf("]}\n");
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "latency") return latency(argc, argv);
  if (command == "quality") return quality(argc, argv);
  if (command == "gp-latency") return gp_latency(argc, argv);
  std::fprintf(stderr, "usage: sampler_bench latency|quality|gp-latency [options] (see the source)\n");
  return 2;
}
