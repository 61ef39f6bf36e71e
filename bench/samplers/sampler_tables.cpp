// rungs' side of the tabular sampler benchmark (not a test; bench/samplers/run_tabular.sh runs
// it next to tabular.py's Optuna side and prints the regret tables).
//
//   sampler_tables --samplers tpe,tpe-mv,gp,default,random,sobol,NAME:KEY=VALUE... [--seeds K]
//                  [--first-seed S] [--trials N]
//                  [--batch B] PREPARED...
//
// Each PREPARED file is a table written by `tabular.py prepare` (the search space, every
// configuration's value per training seed, and which training seed answers each evaluation of
// each study). For every table, sampler and seed, one study of N trials: a trial is a lookup of
// the configuration the sampler chose, answered with the value of the training seed the
// prepared file names for that (study seed, trial) - the noisy evaluation both sides share.
// With --batch B the sampler is asked for B trials before any of them is answered (B workers
// asking at once; the pending ones are passed as running trials). Prints one JSON line per
// study: the table row of every trial, in order. tabular.py report turns rows into regret.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sampler_spec.h"
#include "samplers/sampler.h"

using namespace rungs;

namespace {

struct Param {
  std::string name;
  bool categorical = false;
  std::vector<std::string> choices;  // categorical: the strings; ordered: "0".."n-1"
};

/// A prepared table: a full grid of configurations (rows in any order) with each
/// configuration's value per training seed.
struct Table {
  std::string task;
  Direction direction = Direction::Minimize;
  std::vector<Param> params;
  int value_seeds = 0;
  std::vector<int> row_of_key;              // mixed-radix key of the indices -> row
  std::vector<std::vector<double>> values;  // [row][training seed]
  std::vector<std::vector<int>> noise;      // [study seed][trial] -> training seed
};

[[noreturn]] void fail(const std::string& file, const std::string& what) {
  std::fprintf(stderr, "rungs: %s: %s\n", file.c_str(), what.c_str());
  std::exit(2);
}

std::string expect_word(std::istream& in, const std::string& file, const char* word) {
  std::string got;
  if (!(in >> got) || got != word)
    fail(file, std::string("expected '") + word + "', got '" + got + "'");
  return got;
}

Table read_table(const std::string& file) {
  std::ifstream in(file);
  if (!in) fail(file, "cannot open");
  Table t;
  std::string magic, version, dir;
  in >> magic >> version;
  if (magic != "rungs-tabular" || version != "1")
    fail(file, "not a prepared table (tabular.py prepare)");
  expect_word(in, file, "task");
  in >> t.task;
  expect_word(in, file, "direction");
  in >> dir;
  if (dir != "minimize" && dir != "maximize") fail(file, "direction: " + dir);
  t.direction = dir == "maximize" ? Direction::Maximize : Direction::Minimize;
  std::size_t n_params = 0;
  expect_word(in, file, "params");
  in >> n_params;
  for (std::size_t i = 0; i < n_params; ++i) {
    Param p;
    std::string kind;
    std::size_t n = 0;
    expect_word(in, file, "param");
    in >> p.name >> kind >> n;
    if (kind != "ordered" && kind != "categorical")
      fail(file, "param " + p.name + ": kind: " + kind);
    p.categorical = kind == "categorical";
    for (std::size_t k = 0; k < n; ++k) {
      std::string c;
      in >> c;
      p.choices.push_back(p.categorical ? c : std::to_string(k));
    }
    t.params.push_back(p);
  }
  std::size_t rows = 0;
  expect_word(in, file, "rows");
  in >> rows >> t.value_seeds;
  std::size_t grid = 1;
  for (const auto& p : t.params) grid *= p.choices.size();
  if (rows != grid) fail(file, "rows: " + std::to_string(rows) + " is not the full grid");
  t.row_of_key.assign(grid, -1);
  t.values.resize(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t key = 0;
    for (const auto& p : t.params) {
      std::size_t k = 0;
      in >> k;
      key = key * p.choices.size() + k;
    }
    t.values[r].resize(static_cast<std::size_t>(t.value_seeds));
    for (auto& v : t.values[r]) in >> v;
    if (!in || key >= grid || t.row_of_key[key] != -1)
      fail(file, "row " + std::to_string(r) + " is malformed or repeated");
    t.row_of_key[key] = static_cast<int>(r);
  }
  std::size_t studies = 0, trials = 0;
  expect_word(in, file, "noise");
  in >> studies >> trials;
  t.noise.assign(studies, std::vector<int>(trials));
  for (auto& study : t.noise)
    for (auto& c : study) in >> c;
  if (!in) fail(file, "noise: truncated");
  return t;
}

SearchSpace space_of(const Table& t) {
  std::vector<ParamSpec> specs;
  for (const auto& p : t.params) {
    ParamSpec s;
    s.name = p.name;
    if (p.categorical) {
      s.kind = ParamKind::Categorical;
      for (const auto& c : p.choices) s.choices.emplace_back(c);
    } else {
      // Ordered values as their index 0..n-1: the grids are evenly spaced, linearly or in
      // log, so the index is the parameter on its natural (linear or log) scale.
      s.kind = ParamKind::Int;
      s.low = 0;
      s.high = static_cast<double>(p.choices.size() - 1);
      s.step = 1;
    }
    specs.push_back(s);
  }
  return SearchSpace(specs);
}

int row_of(const Table& t, const Params& params) {
  std::size_t key = 0;
  for (const auto& p : t.params) {
    const ParamValue& v = params.at(p.name);
    std::size_t k = 0;
    if (p.categorical) {
      const auto& s = std::get<std::string>(v);
      while (k < p.choices.size() && p.choices[k] != s) ++k;
    } else {
      k = static_cast<std::size_t>(std::get<std::int64_t>(v));
    }
    key = key * p.choices.size() + k;
  }
  return t.row_of_key.at(key);
}

std::string arg(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return fallback;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

/// One study; returns the table row of every trial.
std::vector<int> run_study(const Table& t, const SearchSpace& space, const std::string& name,
                           int seed, int n, int batch) {
  auto sampler = make_sampler(bench::sampler_options(name), space, t.direction,
                              static_cast<std::uint64_t>(seed));
  const auto& noise = t.noise.at(static_cast<std::size_t>(seed));
  std::vector<TrialRecord> trials;
  std::vector<int> rows;
  for (int id = 0; id < n; ++id) {
    auto params = sampler->suggest(id, trials);
    if (!params)
      throw std::runtime_error(name + " proposed nothing at trial " + std::to_string(id));
    rows.push_back(row_of(t, *params));
    TrialRecord r;
    r.id = id;
    r.params = std::move(*params);
    r.max_epochs = 1;
    trials.push_back(std::move(r));
    // A batch is answered once all of it has been asked (or the study is over).
    if ((id + 1) % batch != 0 && id + 1 != n) continue;
    for (int j = id + 1 - ((id % batch) + 1); j <= id; ++j) {
      auto& done = trials[static_cast<std::size_t>(j)];
      EpochResult e;
      e.epoch = 1;
      e.value = t.values[static_cast<std::size_t>(rows[static_cast<std::size_t>(j)])]
                        [static_cast<std::size_t>(noise.at(static_cast<std::size_t>(j)))];
      done.curve.push_back(e);
      done.status = TrialStatus::Completed;
      sampler->on_trial_end(done);
    }
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const auto samplers = split(arg(argc, argv, "--samplers", "tpe,tpe-mv,gp,random,sobol"));
  const int seeds = std::atoi(arg(argc, argv, "--seeds", "20").c_str());
  const int first_seed = std::atoi(arg(argc, argv, "--first-seed", "0").c_str());
  const int n = std::atoi(arg(argc, argv, "--trials", "200").c_str());
  const int batch = std::atoi(arg(argc, argv, "--batch", "1").c_str());
  if (seeds < 1 || n < 1 || batch < 1)
    fail("sampler_tables", "--seeds, --trials and --batch must be >= 1");
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-' && argv[i][1] == '-') {
      ++i;
      continue;
    }
    files.emplace_back(argv[i]);
  }
  if (files.empty()) {
    std::fprintf(stderr,
                 "usage: sampler_tables [--samplers tpe,tpe-mv,gp,random,sobol] [--seeds K] "
                 "[--first-seed S] [--trials N] [--batch B] PREPARED...\n");
    return 2;
  }
  for (const auto& file : files) {
    const Table t = read_table(file);
    if (first_seed < 0 || static_cast<std::size_t>(first_seed + seeds) > t.noise.size() ||
        (!t.noise.empty() && t.noise[0].size() < static_cast<std::size_t>(n)))
      fail(file, "noise: prepared for fewer seeds or trials than asked");
    const SearchSpace space = space_of(t);
    for (const auto& name : samplers) {
      for (int s = first_seed; s < first_seed + seeds; ++s) {
        const auto rows = run_study(t, space, name, s, n, batch);
        std::printf(
            "{\"impl\": \"rungs\", \"sampler\": \"%s\", \"task\": \"%s\", \"seed\": %d, "
            "\"batch\": %d, \"rows\": [",
            name.c_str(), t.task.c_str(), s, batch);
        for (std::size_t i = 0; i < rows.size(); ++i) std::printf("%s%d", i ? ", " : "", rows[i]);
        std::printf("]}\n");
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
