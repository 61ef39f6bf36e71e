#include "schedulers/sim/report.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <ostream>

namespace rungs::sim {

namespace {

Contender contender(const StudyConfig& config, const std::string& label, const std::string& name,
                    std::map<std::string, ParamValue> values = {}) {
  return {label, AlgorithmOptions(name, std::move(values), config.where("scheduler"))};
}

std::string format(const char* pattern, double value) {
  if (std::isnan(value)) return "-";
  if (std::isinf(value)) return "never";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

}  // namespace

std::vector<Contender> standard_lineup(const StudyConfig& config) {
  return {
      contender(config, "fifo", "fifo"),
      contender(config, "asha", "asha"),
      contender(config, "asha promotion", "asha", {{"mode", std::string("promotion")}}),
      contender(config, "successive_halving", "successive_halving"),
      contender(config, "hyperband", "hyperband"),
      contender(config, "median", "median"),
  };
}

std::vector<Contender> own_lineup(const StudyConfig& config) {
  std::vector<Contender> out{{config.scheduler.name(), config.scheduler}};
  if (config.scheduler.name() != "fifo") out.push_back(contender(config, "fifo", "fifo"));
  return out;
}

std::vector<SimResult> compare(const StudyConfig& config, const std::vector<Contender>& contenders,
                               const SimSettings& settings) {
  std::vector<SimResult> results;
  for (const Contender& c : contenders) results.push_back(simulate(config, c.options, settings, c.label));
  return results;
}

double common_reference(const std::vector<SimResult>& results) {
  double best = std::numeric_limits<double>::quiet_NaN();
  for (const SimResult& r : results) {
    if (std::isnan(best) || is_better(r.best_truth, best, r.direction)) best = r.best_truth;
  }
  return best;
}

void print_table(std::ostream& out, const std::vector<SimResult>& results) {
  const double reference = common_reference(results);
  char line[256];
  std::snprintf(line, sizeof line, "%-20s %7s %7s %9s %8s %8s %6s %6s %8s %9s %9s %9s %10s\n",
                "scheduler", "workers", "trials", "epochs", "first_R", "makespan", "util",
                "steady", "stop+pau", "regret1T", "regret3T", "regret10T", "regret_end");
  out << line;
  for (const SimResult& r : results) {
    const double T = r.time_unit;
    std::snprintf(line, sizeof line, "%-20s %7d %7d %9lld %8s %8s %6s %6s %8d %9s %9s %9s %10s\n",
                  r.label.c_str(), r.workers, r.trials, r.epochs,
                  format("%.2fT", r.first_full / T).c_str(), format("%.1fT", r.makespan / T).c_str(),
                  format("%.3f", r.utilization).c_str(), format("%.3f", r.steady_utilization).c_str(),
                  r.stopped + r.paused, format("%.4f", r.regret_at(T, reference)).c_str(),
                  format("%.4f", r.regret_at(3 * T, reference)).c_str(),
                  format("%.4f", r.regret_at(10 * T, reference)).c_str(),
                  format("%.4f", r.regret_at(r.makespan, reference)).c_str());
    out << line;
  }
}

}  // namespace rungs::sim
