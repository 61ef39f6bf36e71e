#pragma once
/// What the study knows about one trial. Records are owned by the coordinator on rank 0;
/// samplers and schedulers read them, never modify them. A trial that ended (completed,
/// stopped, failed) is immutable.
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "study/param.h"

namespace rungs {

enum class Direction { Maximize, Minimize };
const char* to_string(Direction direction);
/// True when `a` is strictly better than `b` in `direction`. NaN is never better.
bool is_better(double a, double b, Direction direction);

enum class TrialStatus {
  Running,    ///< a worker owns it
  Paused,     ///< stopped at a rung, may be resumed (promotion-based schedulers)
  Completed,  ///< ran every epoch it was given
  Stopped,    ///< the scheduler stopped it early
  Failed,     ///< threw, or its loss became NaN; `reason` says why
};
const char* to_string(TrialStatus status);
std::optional<TrialStatus> parse_trial_status(const std::string& text);
/// Completed, Stopped or Failed.
bool is_finished(TrialStatus status);

/// A scheduler's answer to a reported epoch.
enum class Verdict {
  Continue,  ///< train the next epoch
  Stop,      ///< end the trial now (status Stopped)
  Pause,     ///< checkpoint and leave it Paused; the scheduler may resume it later
};
const char* to_string(Verdict verdict);
/// The verdict a wire byte names; false when the byte names none.
bool from_byte(std::uint8_t byte, Verdict& verdict);

/// One metric a trial reported for an epoch: `val_accuracy`, `bleu`, `epoch_seconds` ...
struct Metric {
  std::string name;
  double value = 0.0;
};
/// Every member of Metric, in order (study/wire.h).
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, Metric>, int> = 0>
auto fields(T& m) {
  auto& [name, value] = m;
  return std::tie(name, value);
}
/// A metric name rungs stores: 1 to 64 of [A-Za-z0-9_.-], not starting with '.' (it names
/// an HDF5 dataset and a CSV column).
bool is_valid_metric_name(std::string_view name);

/// One epoch's results. `value` is the objective's metric (what samplers and schedulers
/// compare); `metrics` holds every metric the trial reported, the objective's among them.
///
/// This struct and kEpochFieldNames below are the one declaration of the epoch record:
/// the wire (mpi_driver/protocol.h), the journal (io/study_journal.cpp), the /curves group
/// of study.h5 (io/study_file_*.cpp), the curves CSV and the report all walk it with
/// for_each_stored_field() instead of listing the fields again.
struct EpochResult {
  int epoch = 0;               ///< 1-based: the number of epochs trained so far
  double value = 0.0;          ///< objective metric, e.g. val_accuracy
  double seconds = 0.0;        ///< wall time of this epoch on the worker
  double time = 0.0;           ///< seconds since the study started, when rank 0 got it
  std::vector<Metric> metrics; ///< every reported metric, in the order reported, names unique
  /// Set by the runner when the weights after this epoch are in the trial's checkpoint;
  /// travels with the report, not stored in the curve.
  bool checkpointed = false;

  /// The metric named `name`, nullopt when this epoch did not report it.
  std::optional<double> metric(std::string_view name) const;
  /// Sets (adds or replaces) the metric named `name`.
  void set_metric(std::string_view name, double value);
};
/// Every member of EpochResult, in order (study/wire.h).
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, EpochResult>, int> = 0>
auto fields(T& r) {
  auto& [epoch, value, seconds, time, metrics, checkpointed] = r;
  return std::tie(epoch, value, seconds, time, metrics, checkpointed);
}
/// The stored name of each member of EpochResult, in fields() order: the datasets of
/// /curves in study.h5 (metrics: the group /curves/metrics, one dataset per name), the
/// columns of the curves CSV. nullptr: not stored.
inline constexpr const char* kEpochFieldNames[] = {"epoch", "value",   "seconds",
                                                   "time",  "metrics", nullptr};
static_assert(std::tuple_size_v<decltype(fields(std::declval<EpochResult&>()))> ==
                  std::size(kEpochFieldNames),
              "kEpochFieldNames names every member of EpochResult");

namespace detail {
/// How many members before the I-th are stored.
template <std::size_t I>
constexpr std::size_t stored_before() {
  std::size_t n = 0;
  for (std::size_t i = 0; i < I; ++i) n += kEpochFieldNames[i] != nullptr;
  return n;
}
template <typename Tuple, typename F, std::size_t... I>
void for_each_stored(Tuple&& members, F& f, std::index_sequence<I...>) {
  const auto visit = [&](auto index) {
    constexpr std::size_t i = decltype(index)::value;
    if constexpr (kEpochFieldNames[i] != nullptr) {
      f(stored_before<i>(), kEpochFieldNames[i], std::get<i>(members));
    }
  };
  (visit(std::integral_constant<std::size_t, I>{}), ...);
}
}  // namespace detail

/// Calls f(index, name, member) for every stored member of `record` (an EpochResult, const
/// or not), in fields() order; `index` counts stored members from 0.
template <typename Record, typename F>
void for_each_stored_field(Record&& record, F&& f) {
  detail::for_each_stored(fields(record), f, std::make_index_sequence<std::size(kEpochFieldNames)>{});
}

/// One stretch of a trial trained with the same parameters: Population Based Training
/// (schedulers/pbt.h) changes them during a trial. A trial with no segments recorded trained
/// every epoch with its `params`; once it has some, the first holds `params` from epoch 0
/// and each later one began where the one before it ended.
struct Segment {
  int start_epoch = 0;   ///< epochs the trial had trained when it began
  Params params;         ///< the parameters it trains with
  int clone_trial = -1;  ///< the trial whose checkpoint it continued from; -1: its own
  int clone_epoch = -1;  ///< the epochs of that checkpoint; -1 when clone_trial is -1
};
/// Every member of Segment, in order: the one declaration of the segment record that the
/// journal (study/wire.h) and /trials/segments of study.h5 (kSegmentFieldNames) walk.
template <typename T, std::enable_if_t<std::is_same_v<std::decay_t<T>, Segment>, int> = 0>
auto fields(T& s) {
  auto& [start_epoch, params, clone_trial, clone_epoch] = s;
  return std::tie(start_epoch, params, clone_trial, clone_epoch);
}
/// The stored name of each member of Segment, in fields() order: the datasets of
/// /trials/segments (params: the groups params and params_active, as in /trials).
inline constexpr const char* kSegmentFieldNames[] = {"start_epoch", "params", "clone_trial", "clone_epoch"};
static_assert(std::tuple_size_v<decltype(fields(std::declval<Segment&>()))> == std::size(kSegmentFieldNames),
              "kSegmentFieldNames names every member of Segment");

struct TrialRecord {
  int id = 0;
  Params params;
  TrialStatus status = TrialStatus::Running;
  std::uint64_t seed = 0;
  int max_epochs = 0;          ///< epochs the trial may run in all
  int rung = 0;                ///< highest rung reached (scheduler-defined; 0 for fifo)
  int worker = -1;             ///< rank that ran it last
  int attempts = 0;            ///< times it was dispatched to a worker (resumes included)
  /// Runs lost with their worker or the job: dispatched and never reported ended. Counted
  /// before the worker starts and taken back when it reports the end, so a run that kills
  /// its worker (or a killed job) still counts; a promotion or a clean interruption does not.
  int lost = 0;
  int checkpoint_epoch = 0;    ///< epochs covered by its last recorded checkpoint (0: none)
  double start_time = 0.0;     ///< unix seconds
  double end_time = 0.0;       ///< unix seconds; 0 while running
  std::string reason;          ///< why it failed or was stopped
  std::vector<EpochResult> curve;
  /// PBT only: its segments, in order (empty: one segment of `params`, which always stay
  /// those of the first segment).
  std::vector<Segment> segments;

  /// The parameters it trains with now: the last segment's, else `params`.
  const Params& current_params() const { return segments.empty() ? params : segments.back().params; }
  int epochs_run() const { return static_cast<int>(curve.size()); }
  std::optional<double> last_value() const;
  std::optional<double> best_value(Direction direction) const;
};

/// Every metric name the trials reported, each once, in name order.
std::vector<std::string> metric_names(const std::vector<const TrialRecord*>& trials);
std::vector<std::string> metric_names(const std::vector<TrialRecord>& trials);

/// The best trial among those with at least one result (completed or stopped), by best
/// value; failed trials never win. nullptr when there is none.
const TrialRecord* best_trial(const std::vector<TrialRecord>& trials, Direction direction);

}  // namespace rungs
