#include "report/pareto_front.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace rungs::report {

std::vector<int> pareto_front(const StudyView& view) {
  const MultiObjective& multi = view.multi;
  if (multi.objectives.empty()) return {};
  std::vector<int> ids;
  std::vector<Point> points;
  for (const TrialRecord& t : view.stored.trials) {
    if (t.status == TrialStatus::Failed || constraint_violation(t, multi.constraints) > 0) continue;
    auto point = objective_point(t, multi.objectives);
    if (!point) continue;
    ids.push_back(t.id);
    points.push_back(std::move(*point));
  }
  const std::vector<int> ranks = pareto_ranks(points);
  std::vector<std::size_t> front;
  for (std::size_t k = 0; k < points.size(); ++k) {
    if (ranks[k] == 0) front.push_back(k);
  }
  std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return points[a][0] < points[b][0]; });
  std::vector<int> out;
  for (const std::size_t k : front) out.push_back(ids[k]);
  return out;
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
