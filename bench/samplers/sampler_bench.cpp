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
//   sampler_bench quality [--trials N] [--seeds K] [--first-seed S] [--samplers tpe,random,sobol]
//     (--samplers entries as sampler_spec.h reads them: default, tpe-mv, NAME:KEY=VALUE...)
//     For each test function and sampler: the best value of each seed's study (seeds S..S+K-1).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "sampler_spec.h"
#include "samplers/sampler.h"
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
  std::fprintf(stderr, "usage: sampler_bench latency|quality [options] (see the source)\n");
  return 2;
}
