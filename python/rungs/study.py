"""rungs.load(): a study as study.h5 and its journal hold it (layout in io/LAYOUT.md)."""
import dataclasses
import io
import os
import warnings
from typing import Dict, Optional, Tuple

import h5py

from . import journal as journal_frames
from .errors import RungsError
from .records import EPOCH_FIELDS, FINISHED, FIXED_METRICS, STATUSES, Epoch, TrialRecord, best_value, replay
from .space import SpaceUnavailable, parse_space, restore_choice_types

#: study.h5's format_version this reader understands.
FORMAT_VERSION = 2
STUDY_FILE = "study.h5"
_READ_TRIES = 20  # a snapshot replaced while we read (every few seconds) is read again


class RungsWarning(UserWarning):
    """Something the reader had to do without: the search space when PyYAML is missing."""


@dataclasses.dataclass(frozen=True)
class Trial:
    """One trial, as the study last committed it (snapshot plus journal)."""
    id: int
    status: str  #: running, paused, completed, stopped or failed
    params: Dict  #: name -> value (bool, int, float or str); inactive parameters absent
    value: Optional[float]  #: best metric over its epochs in the study's direction; None if none
    last_value: Optional[float]  #: the metric at its last epoch (may be NaN); None if none
    best_epoch: Optional[int]  #: the (first) epoch whose value is `value`
    curve: Tuple[Epoch, ...]
    seed: int
    max_epochs: int
    rung: int
    worker: int
    attempts: int
    lost: int
    checkpoint_epoch: int
    start_time: float  #: unix seconds
    end_time: float  #: unix seconds; 0 while running
    reason: str

    @property
    def epochs_run(self):
        return len(self.curve)


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _column(group, name, rows):
    data = group[name]
    values = list(data.asstr()[()]) if h5py.check_string_dtype(data.dtype) else data[()].tolist()
    if len(values) != rows:
        raise RungsError(f"{group.name}/{name} has {len(values)} rows, "
                         f"expected {rows}")
    return values


def _read_params(group, trials):
    params = group["params"]
    active_group = group["params_active"] if "params_active" in group else {}
    for name, data in params.items():
        values = _column(params, name, len(trials))
        kind = _text(data.attrs.get("kind", "string"))
        if kind == "bool":
            values = [bool(v) for v in values]
        present = (_column(active_group, name, len(trials)) if name in active_group
                   else [True] * len(trials))
        for trial, value, on in zip(trials, values, present):
            if on:
                trial.params[name] = value


def _read_trials(root, format_version):
    group = root["trials"]
    ids = [int(i) for i in group["id"][()]]
    n = len(ids)
    col = {name: _column(group, name, n) for name in
           ("status", "seed", "max_epochs", "rung", "worker", "attempts", "checkpoint_epoch",
            "start_time", "end_time", "reason")}
    lost = _column(group, "lost", n) if "lost" in group else [0] * n  # absent before 0.1.0's `lost`
    trials = []
    for row, trial_id in enumerate(ids):
        status = col["status"][row]
        if status not in STATUSES:
            raise RungsError(f"/trials/status row {row}: unknown status '{status}'")
        trials.append(TrialRecord(
            id=trial_id, params={}, status=status, seed=int(col["seed"][row]),
            max_epochs=col["max_epochs"][row], rung=col["rung"][row], worker=col["worker"][row],
            attempts=col["attempts"][row], lost=lost[row],
            checkpoint_epoch=col["checkpoint_epoch"][row], start_time=col["start_time"][row],
            end_time=col["end_time"][row], reason=col["reason"][row]))
    _read_params(group, trials)
    curves = root["curves"]
    rows = len(curves["trial_id"])
    c = {name: _column(curves, name, rows) for name in ("trial_id",) + EPOCH_FIELDS}
    if format_version < 2:  # the fixed metrics, before any-metric epochs
        metric_group, names = curves, FIXED_METRICS
    else:
        metric_group = curves["metrics"]
        names = sorted(metric_group)
    metric_columns = {name: _column(metric_group, name, rows) for name in names}
    by_id = {t.id: t for t in trials}
    for row in range(rows):
        trial = by_id.get(c["trial_id"][row])
        if trial is None:
            raise RungsError(f"/curves/trial_id row {row}: no trial has id "
                             f"{c['trial_id'][row]}")
        metrics = {name: float(column[row]) for name, column in metric_columns.items()
                   if column[row] == column[row]}  # a NaN is no report
        trial.curve.append(Epoch(*(c[name][row] for name in EPOCH_FIELDS), metrics))
    return trials


def _read_consistent(study_h5, journal_path):
    """The bytes of study.h5 and of its journal as of one snapshot: rank 0 renames a new
    snapshot over study.h5 before it empties the journal, so when study.h5 is the same
    file after the journal was read, the journal's records follow that snapshot."""
    for _ in range(_READ_TRIES):
        try:
            with open(study_h5, "rb") as f:
                before = os.fstat(f.fileno())
                data = f.read()
        except OSError as e:
            raise RungsError(f"{study_h5}: {e.strerror}") from None
        try:
            with open(journal_path, "rb") as f:
                journal = f.read()
        except FileNotFoundError:
            journal = b""
        except OSError as e:
            raise RungsError(f"{journal_path}: {e.strerror}") from None
        try:
            after = os.stat(study_h5)
        except FileNotFoundError:
            continue
        if (before.st_ino, before.st_dev, before.st_mtime_ns) == \
                (after.st_ino, after.st_dev, after.st_mtime_ns):
            return data, journal
    raise RungsError(f"{study_h5}: replaced {_READ_TRIES} times while being read")


def _study_file(path):
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, STUDY_FILE)
    if not os.path.exists(path):
        raise RungsError(f"{path}: no such file")
    return path


class Study:
    """A rungs study read back: :func:`load` makes one. Nothing here writes to the study.

    Attributes: ``path`` (the study.h5), ``name``, ``metric``, ``direction`` ("maximize"
    or "minimize"), ``state`` (running, interrupted or finished, as the last snapshot says),
    ``start_time``, ``elapsed``, ``slurm_job_id``, ``rungs_version``, ``study_yaml`` (the
    study file's text), ``params`` (the search space: {name: ParamSpec}), ``trials`` (Trial
    records in id order), ``test`` ({trial_id, accuracy, loss} or None), and what the
    journal added: ``journal_records`` and ``journal_ignored_bytes`` (a torn tail).
    """

    def __init__(self, path, use_journal=True):
        self.path = _study_file(path)
        journal_path = self.path + ".journal"
        data, journal_bytes = _read_consistent(self.path, journal_path)
        if not data.startswith(b"\x89HDF\r\n\x1a\n"):
            raise RungsError(f"{self.path}: not an HDF5 file")
        try:
            with h5py.File(io.BytesIO(data), "r") as f:
                trials = self._read_root(f)
        except RungsError as e:
            raise RungsError(f"{self.path}: {e}") from None
        except (KeyError, OSError, ValueError) as e:
            raise RungsError(f"{self.path}: not a readable rungs study ({e})") from None

        try:
            self.params = parse_space(self.study_yaml)
            self.space_error = None
        except SpaceUnavailable as e:
            self.params, self.space_error = {}, str(e)
            warnings.warn(f"{self.path}: search space unknown: {e}", RungsWarning, stacklevel=3)
        restore_choice_types(self.params, trials)

        self.journal_records = 0
        self.journal_ignored_bytes = 0
        if use_journal:
            frames = journal_frames.read_frames(journal_bytes, journal_path)
            try:
                replay(frames.records, trials)
            except RungsError as e:
                raise RungsError(f"{journal_path}: {e}") from None
            self.journal_records = len(frames.records)
            self.journal_ignored_bytes = frames.ignored_bytes
        self.trials = tuple(self._freeze(t) for t in trials)

    def _read_root(self, f):
        attrs = {k: (_text(v) if isinstance(v, (bytes, str)) else v) for k, v in f.attrs.items()}
        if attrs.get("format") != "rungs-study":
            raise RungsError(f"not a rungs study file (format is "
                             f"{attrs.get('format')!r}, not 'rungs-study')")
        self.format_version = int(attrs.get("format_version", 0))
        if self.format_version > FORMAT_VERSION:
            raise RungsError(f"format_version {self.format_version} is newer than "
                             f"this reader reads ({FORMAT_VERSION}); use a newer rungs package")
        self.name = attrs["name"]
        self.metric = attrs["metric"]
        self.direction = attrs["direction"]
        if self.direction not in ("maximize", "minimize"):
            raise RungsError(f"direction '{self.direction}' is not maximize or minimize")
        self.state = attrs["state"]
        self.slurm_job_id = attrs.get("slurm_job_id", "")
        self.start_time = float(attrs["start_time"])
        self.elapsed = float(attrs["elapsed"])
        self.rungs_version = attrs.get("rungs_version", "")
        self.study_yaml = _text(f["study_yaml"][()])
        self.test = None
        if "test" in f:
            t = f["test"].attrs
            self.test = {"trial_id": int(t["trial_id"]), "accuracy": float(t["accuracy"]),
                         "loss": float(t["loss"])}
        return _read_trials(f, self.format_version)

    def _freeze(self, t):
        value = best_value(t.curve, self.direction)
        best = next((e.epoch for e in t.curve if e.value == value), None) if value is not None else None
        return Trial(id=t.id, status=t.status, params=dict(t.params), value=value,
                     last_value=t.curve[-1].value if t.curve else None, best_epoch=best,
                     curve=tuple(t.curve), seed=t.seed, max_epochs=t.max_epochs, rung=t.rung,
                     worker=t.worker, attempts=t.attempts, lost=t.lost,
                     checkpoint_epoch=t.checkpoint_epoch, start_time=t.start_time,
                     end_time=t.end_time, reason=t.reason)

    @property
    def best_trial(self) -> Optional[Trial]:
        """The trial with the best value, as ``rungs best`` picks it: failed trials never
        win, trials without a value neither, the first of equal ones wins; None if none."""
        best = None
        for t in self.trials:
            if t.status == "failed" or t.value is None:
                continue
            if best is None or (t.value > best.value if self.direction == "maximize"
                                else t.value < best.value):
                best = t
        return best

    @property
    def param_names(self):
        """Every parameter name: the search space's order, then names only trials hold,
        sorted (the params_ columns of ``rungs export``)."""
        extra = sorted({n for t in self.trials for n in t.params} - set(self.params))
        return list(self.params) + extra

    def trials_dataframe(self):
        """One row per trial, in id order, with the columns of ``rungs export --csv``."""
        from .tables import trials_dataframe
        return trials_dataframe(self)

    def curves_dataframe(self):
        """One row per reported epoch, by trial then epoch: the columns of /curves."""
        from .tables import curves_dataframe
        return curves_dataframe(self)

    def to_optuna(self):
        """An in-memory optuna.Study with one FrozenTrial per trial (needs optuna)."""
        from .optuna_study import to_optuna
        return to_optuna(self)

    def __repr__(self):
        done = sum(t.status in FINISHED for t in self.trials)
        return (f"<rungs.Study {self.name!r} ({self.state}): {len(self.trials)} trials, "
                f"{done} finished, {self.metric} {self.direction}>")


def load(path, use_journal=True) -> Study:
    """Reads the study in `path`: a study.h5 file or the run folder holding it. With
    `use_journal` (the default) the changes in study.h5.journal since the last snapshot are
    replayed, so a running or killed study is seen up to its last committed epoch; a torn
    or zeroed journal tail is ignored. Raises RungsError naming the file when it is missing,
    not a rungs study, of a newer format, or its journal is damaged."""
    return Study(path, use_journal=use_journal)

