#include "io/study_file_segments.h"

#include <cstdint>
#include <string>
#include <tuple>
#include <unordered_map>

#include "io/h5_column.h"
#include "io/study_file_params.h"
#include "study/errors.h"

namespace rungs {

namespace {

constexpr const char* kSegments = "segments";

/// Calls f(name, member) for every member of `segment` (fields() order).
template <typename S, typename F>
void for_each_segment_field(S&& segment, F&& f) {
  std::size_t i = 0;
  std::apply([&](auto&... member) { ((f(kSegmentFieldNames[i++], member)), ...); }, fields(segment));
}

/// A trial's segments, the implicit one made explicit.
std::vector<Segment> explicit_segments(const TrialRecord& t) {
  if (!t.segments.empty()) return t.segments;
  return {Segment{0, t.params, -1, -1}};
}

}  // namespace

void write_segments(const h5::Group& trials_group, const SearchSpace& space,
                    const std::vector<const TrialRecord*>& trials) {
  std::vector<Segment> rows;
  std::vector<std::int64_t> trial_id, end_epoch;
  for (const TrialRecord* t : trials) {
    const std::vector<Segment> segments = explicit_segments(*t);
    for (std::size_t i = 0; i < segments.size(); ++i) {
      rows.push_back(segments[i]);
      trial_id.push_back(t->id);
      end_epoch.push_back(i + 1 < segments.size() ? segments[i + 1].start_epoch : t->epochs_run());
    }
  }
  const h5::Group group = trials_group.create_group(kSegments);
  h5::write_column(group, "trial_id", trial_id);
  h5::write_column(group, "end_epoch", end_epoch);
  for_each_segment_field(Segment{}, [&](const char* name, const auto& member) {
    using T = std::decay_t<decltype(member)>;
    if constexpr (std::is_same_v<T, int>) {
      std::vector<std::int64_t> column;
      column.reserve(rows.size());
      for (const Segment& s : rows) {
        for_each_segment_field(s, [&](const char* n, const auto& m) {
          if constexpr (std::is_same_v<std::decay_t<decltype(m)>, int>) {
            if (std::string(n) == name) column.push_back(m);
          }
        });
      }
      h5::write_column(group, name, column);
    } else {
      static_assert(std::is_same_v<T, Params>, "a segment field study.h5 cannot store");
      std::vector<const Params*> params;
      params.reserve(rows.size());
      for (const Segment& s : rows) params.push_back(&s.params);
      write_param_columns(group, space, params);
    }
  });
}

void read_segments(const h5::Group& trials_group, std::vector<TrialRecord>& trials) {
  if (!trials_group.has(kSegments)) return;
  const h5::Group group = trials_group.open_group(kSegments);
  const auto trial_id = h5::read_column<std::int64_t>(group, "trial_id");
  std::vector<Segment> rows(trial_id.size());
  for_each_segment_field(Segment{}, [&](const char* name, const auto& member) {
    using T = std::decay_t<decltype(member)>;
    if constexpr (std::is_same_v<T, int>) {
      const auto column = h5::read_column<std::int64_t>(group, name);
      if (column.size() != rows.size()) {
        throw IoError(group.file() + ": " + group.child_path(name) + " has " + std::to_string(column.size()) +
                      " rows, expected " + std::to_string(rows.size()));
      }
      for (std::size_t row = 0; row < rows.size(); ++row) {
        for_each_segment_field(rows[row], [&](const char* n, auto& m) {
          if constexpr (std::is_same_v<std::decay_t<decltype(m)>, int>) {
            if (std::string(n) == name) m = static_cast<int>(column[row]);
          }
        });
      }
    } else {
      std::vector<Params*> params;
      for (Segment& s : rows) params.push_back(&s.params);
      read_param_columns(group, params);
    }
  });
  std::unordered_map<std::int64_t, TrialRecord*> by_id;
  for (TrialRecord& t : trials) by_id[t.id] = &t;
  for (std::size_t row = 0; row < rows.size(); ++row) {
    const auto found = by_id.find(trial_id[row]);
    if (found == by_id.end()) {
      throw IoError(group.file() + ": " + group.child_path("trial_id") + " row " + std::to_string(row) +
                    ": no trial has id " + std::to_string(trial_id[row]));
    }
    found->second->segments.push_back(std::move(rows[row]));
  }
  for (TrialRecord& t : trials) {
    if (t.segments.size() == 1 && t.segments[0].clone_trial < 0) t.segments.clear();
  }
}

}  // namespace rungs
