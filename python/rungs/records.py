"""A study's records and the journal's payloads, decoded and replayed as rungs does.

The payloads are encoded as in study/wire.h: fixed-width little-endian integers, doubles by
bit pattern, strings as a u32 length and UTF-8 bytes, parameters as a u32 count of
(name, tagged value) pairs (tag 0 bool, 1 int64, 2 double, 3 string). A trial record
('T', io/study_journal.cpp's trial_record) holds a whole trial but its curve; an epoch
record ('R', or 'E' as rungs wrote them before any-metric epochs) holds one epoch of one
trial. :func:`replay` applies them to trials read from
study.h5 exactly as io/study_journal.cpp's replay() does.
"""
import dataclasses
import struct
from typing import List, Optional

from .errors import RungsError

#: Trial statuses in the order of rungs' TrialStatus enum (their wire bytes).
STATUSES = ("running", "paused", "completed", "stopped", "failed")
FINISHED = ("completed", "stopped", "failed")


@dataclasses.dataclass(frozen=True)
class Epoch:
    """One reported epoch: the datasets of /curves but trial_id, in their order, then
    /curves/metrics as a dict (every metric this epoch reported, by name)."""
    epoch: int  #: 1-based: epochs trained so far
    value: float  #: the objective metric
    seconds: float  #: wall time of this epoch on the worker
    time: float  #: seconds since the study started, when rank 0 received it
    metrics: dict = dataclasses.field(default_factory=dict)


#: The numeric fields of Epoch, in wire and /curves order: the one list every reader uses.
EPOCH_FIELDS = tuple(f.name for f in dataclasses.fields(Epoch) if f.name != "metrics")
#: The metrics every epoch had before study format 2 (any metrics), in their old order.
FIXED_METRICS = ("val_accuracy", "val_loss", "train_loss")


@dataclasses.dataclass(frozen=True)
class Segment:
    """A stretch of a PBT trial trained with one set of parameters (study/trial.h Segment;
    /trials/segments in study.h5)."""
    start_epoch: int  #: epochs the trial had trained when it began
    params: dict  #: the parameters it trains with
    clone_trial: int = -1  #: the trial whose checkpoint it continued from; -1: its own
    clone_epoch: int = -1  #: the epochs of that checkpoint; -1 when clone_trial is -1


@dataclasses.dataclass
class TrialRecord:
    """A trial while the study is read (mutable until the journal is replayed)."""
    id: int
    params: dict
    status: str = "running"
    seed: int = 0
    max_epochs: int = 0
    rung: int = 0
    worker: int = -1
    attempts: int = 0
    lost: int = 0
    checkpoint_epoch: int = 0
    start_time: float = 0.0
    end_time: float = 0.0
    reason: str = ""
    curve: List[Epoch] = dataclasses.field(default_factory=list)
    segments: List[Segment] = dataclasses.field(default_factory=list)  #: PBT only


class _Reader:
    """study/wire.cpp's Reader: raises RungsError on a short or malformed buffer."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def _take(self, fmt):
        size = struct.calcsize(fmt)
        if len(self.data) - self.pos < size:
            raise RungsError(f"needs {size} more bytes at offset {self.pos} of {len(self.data)}")
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += size
        return value

    def u8(self):
        return self._take("<B")

    def i32(self):
        return self._take("<i")

    def u64(self):
        return self._take("<Q")

    def i64(self):
        return self._take("<q")

    def f64(self):
        return self._take("<d")

    def str(self):
        n = self._take("<I")
        if len(self.data) - self.pos < n:
            raise RungsError(f"needs {n} more bytes at offset {self.pos} of {len(self.data)}")
        text = self.data[self.pos:self.pos + n].decode("utf-8", errors="replace")
        self.pos += n
        return text

    def value(self):
        tag = self.u8()
        if tag == 0:
            return self.u8() != 0
        if tag == 1:
            return self.i64()
        if tag == 2:
            return self.f64()
        if tag == 3:
            return self.str()
        raise RungsError(f"unknown parameter value type {tag}")

    def params(self):
        params = {}
        for _ in range(self._take("<I")):
            name = self.str()
            params[name] = self.value()
        return params

    def at_end(self):
        return self.pos == len(self.data)

    def expect_end(self):
        if not self.at_end():
            raise RungsError(f"{len(self.data) - self.pos} trailing bytes")


def _at(trials, trial_id):
    if not 0 <= trial_id < len(trials):
        raise RungsError(f"journal record for trial {trial_id}, which does not exist")
    return trials[trial_id]


def _replay_trial(r, trial_id, trials):
    if trial_id == len(trials):
        trials.append(TrialRecord(id=trial_id, params={}))
    t = _at(trials, trial_id)
    t.params = r.params()
    status = r.u8()
    if status >= len(STATUSES):
        raise RungsError(f"bad status {status}")
    t.status = STATUSES[status]
    t.seed = r.u64()
    t.max_epochs = r.i32()
    t.rung = r.i32()
    t.worker = r.i32()
    t.attempts = r.i32()
    t.checkpoint_epoch = r.i32()
    t.start_time = r.f64()
    t.end_time = r.f64()
    t.reason = r.str()
    epochs = r.i32()
    if epochs < len(t.curve):
        del t.curve[max(epochs, 0):]
    t.lost = 0 if r.at_end() else r.i32()  # journals written before `lost` have none
    t.segments = []  # last: journals written before PBT have none
    for _ in range(0 if r.at_end() else r._take("<I")):
        t.segments.append(Segment(r.i32(), r.params(), r.i32(), r.i32()))


def _fixed_epoch(r):
    """An 'E' record: epoch, value, the three fixed metrics, seconds, time."""
    epoch, value = r.i32(), r.f64()
    metrics = {name: r.f64() for name in FIXED_METRICS}
    return Epoch(epoch, value, r.f64(), r.f64(), metrics)


def _epoch(r):
    """An 'R' record: EpochResult as study/wire.h encodes it (its fields() in order)."""
    epoch, value, seconds, time = r.i32(), r.f64(), r.f64(), r.f64()
    metrics = {}
    for _ in range(r._take("<I")):
        name = r.str()
        metrics[name] = r.f64()
    r.u8()  # checkpointed: travels with the report, not part of the record
    return Epoch(epoch, value, seconds, time, metrics)


def _replay_epoch(r, trial_id, trials, fixed):
    t = _at(trials, trial_id)
    e = _fixed_epoch(r) if fixed else _epoch(r)
    if not 1 <= e.epoch <= len(t.curve) + 1:
        raise RungsError(f"journal record for epoch {e.epoch} of trial {trial_id}, "
                         f"which has {len(t.curve)}")
    if e.epoch == len(t.curve) + 1:
        t.curve.append(e)
    else:
        t.curve[e.epoch - 1] = e


def replay(records, trials):
    """Applies journal payloads `records` (bytes, in order) to `trials` (TrialRecords in id
    order, changed in place): a trial record replaces the trial's fields and drops epochs
    past its epochs_run; an epoch record replaces epoch N or appends N+1. Raises RungsError
    for a record that does not fit, as rungs refuses to resume such a study."""
    for index, payload in enumerate(records):
        r = _Reader(bytes(payload))
        try:
            kind = r.u8()
            trial_id = r.i32()
            if kind == ord("T"):
                _replay_trial(r, trial_id, trials)
            elif kind in (ord("E"), ord("R")):
                _replay_epoch(r, trial_id, trials, fixed=kind == ord("E"))
            else:
                raise RungsError(f"journal record of unknown type {kind}")
            r.expect_end()
        except RungsError as e:
            raise RungsError(f"record {index}: {e}") from None


def best_value(curve, direction) -> Optional[float]:
    """The best value over `curve` in `direction` as rungs ranks a trial (TrialRecord's
    best_value): NaN epochs never win; None when the trial has no epoch or only NaN ones."""
    best = None
    for e in curve:
        v = e.value
        if v != v:
            continue
        if best is None or (v > best if direction == "maximize" else v < best):
            best = v
    return best
