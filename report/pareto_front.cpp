#include "report/pareto_front.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace rungs::report {

std::vector<int> pareto_front(const StudyView& view) {
  std::vector<int> front = rungs::pareto_front(view.stored.trials, view.multi);
  // Best first by the first objective.
  const auto first = [&](int id) {
    return *objective_point(view.stored.trials[static_cast<std::size_t>(id)], view.multi.objectives)->begin();
  };
  std::stable_sort(front.begin(), front.end(), [&](int a, int b) { return first(a) < first(b); });
  return front;
}

std::string format_front(const StudyView& view) {
  const std::vector<int> front = pareto_front(view);
  const MultiObjective& multi = view.multi;
  if (multi.objectives.empty()) return {};
  std::ostringstream out;
  out << "Pareto front: " << front.size() << (front.size() == 1 ? " trial" : " trials")
      << " (feasible, not dominated)";
  if (!multi.constraints.empty()) out << "; " << multi.constraints.size() << " constraints";
  out << "\n  trial";
  for (const Objective& o : multi.objectives) {
    out << "  " << o.metric << " (" << (o.direction == Direction::Maximize ? "max" : "min") << ")";
  }
  out << "  parameters\n";
  for (const int id : front) {
    const TrialRecord& t = view.stored.trials[static_cast<std::size_t>(id)];
    char cell[48];
    std::snprintf(cell, sizeof cell, "%7d", id);
    out << cell;
    for (const Objective& o : multi.objectives) {
      std::snprintf(cell, sizeof cell, "  %.6g", *t.curve.back().metric(o.metric));
      out << cell;
    }
    out << " ";
    for (const auto& [name, value] : t.params) out << " " << name << "=" << to_string(value);
    out << "\n";
  }
  return out.str();
}

}  // namespace rungs::report
