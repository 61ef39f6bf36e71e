#include "io/study_journal.h"

#include "study/errors.h"

namespace rungs::journal {

namespace {

/// kEpoch records are written by rungs before study format 2 (fixed metrics) and still
/// read; kEpochRecord holds an EpochResult as study/wire.h encodes it.
enum Type : std::uint8_t { kTrial = 'T', kEpoch = 'E', kEpochRecord = 'R' };

/// An epoch record of the fixed layout rungs wrote before any-metric epochs.
EpochResult get_fixed_epoch(wire::Reader& r) {
  EpochResult e;
  e.epoch = r.i32();
  e.value = r.f64();
  for (const char* name : {"val_accuracy", "val_loss", "train_loss"}) e.set_metric(name, r.f64());
  e.seconds = r.f64();
  e.time = r.f64();
  return e;
}

TrialRecord& at(std::vector<TrialRecord>& trials, int id) {
  if (id < 0 || id >= static_cast<int>(trials.size())) {
    throw IoError("journal record for trial " + std::to_string(id) + ", which does not exist");
  }
  return trials[static_cast<std::size_t>(id)];
}

}  // namespace

wire::Bytes trial_record(const TrialRecord& t) {
  wire::Writer w;
  w.u8(kTrial);
  w.i32(t.id);
  w.params(t.params);
  w.u8(static_cast<std::uint8_t>(t.status));
  w.u64(t.seed);
  w.i32(t.max_epochs);
  w.i32(t.rung);
  w.i32(t.worker);
  w.i32(t.attempts);
  w.i32(t.checkpoint_epoch);
  w.f64(t.start_time);
  w.f64(t.end_time);
  w.str(t.reason);
  w.i32(t.epochs_run());
  w.i32(t.lost);  // journals written before it have none
  wire::put(w, t.segments);  // last: journals written before it have none
  return w.take();
}

wire::Bytes epoch_record(int trial_id, const EpochResult& result) {
  wire::Writer w;
  w.u8(kEpochRecord);
  w.i32(trial_id);
  wire::put(w, result);
  return w.take();
}

void replay(const std::vector<wire::Bytes>& records, std::vector<TrialRecord>& trials) {
  try {
    for (const auto& bytes : records) {
      wire::Reader r(bytes);
      const std::uint8_t type = r.u8();
      const int id = r.i32();
      if (type == kTrial) {
        if (id == static_cast<int>(trials.size())) trials.emplace_back();
        TrialRecord& t = at(trials, id);
        t.id = id;
        t.params = r.params();
        const std::uint8_t status = r.u8();
        if (status > static_cast<std::uint8_t>(TrialStatus::Failed)) throw MpiError("bad status");
        t.status = static_cast<TrialStatus>(status);
        t.seed = r.u64();
        t.max_epochs = r.i32();
        t.rung = r.i32();
        t.worker = r.i32();
        t.attempts = r.i32();
        t.checkpoint_epoch = r.i32();
        t.start_time = r.f64();
        t.end_time = r.f64();
        t.reason = r.str();
        const int epochs = r.i32();
        if (epochs < t.epochs_run()) t.curve.resize(static_cast<std::size_t>(epochs));
        t.lost = r.at_end() ? 0 : r.i32();
        if (r.at_end()) t.segments.clear();
        else wire::get(r, t.segments);
      } else if (type == kEpoch || type == kEpochRecord) {
        TrialRecord& t = at(trials, id);
        EpochResult e;
        if (type == kEpoch) e = get_fixed_epoch(r);
        else wire::get(r, e);
        if (e.epoch < 1 || e.epoch > t.epochs_run() + 1) {
          throw IoError("journal record for epoch " + std::to_string(e.epoch) + " of trial " +
                        std::to_string(id) + ", which has " + std::to_string(t.epochs_run()));
        }
        if (e.epoch == t.epochs_run() + 1) t.curve.push_back(e);
        else t.curve[static_cast<std::size_t>(e.epoch - 1)] = e;
      } else {
        throw IoError("journal record of unknown type " + std::to_string(type));
      }
      r.expect_end();
    }
  } catch (const MpiError& e) {
    throw IoError(std::string("damaged journal record: ") + e.what());
  }
}

}  // namespace rungs::journal
