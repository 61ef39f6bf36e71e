"""The trials and curves of a Study as pandas DataFrames.

trials_dataframe() has the columns of ``rungs export --csv`` (report/export.cpp), in its
order, with typed cells: Optuna's number, value, datetime_start, datetime_complete,
duration and params_NAME, then rungs' own state, best_epoch, every metric at the best
epoch (by name; metric_NAME where a name is taken), last_value, epochs, max_epochs, rung,
worker, seed, reason.
"""
import math

import numpy as np
import pandas as pd

from .records import EPOCH_FIELDS, FINISHED

TRIAL_COLUMNS_HEAD = ["number", "value", "datetime_start", "datetime_complete", "duration"]
TRIAL_COLUMNS_TAIL = ["last_value", "epochs", "max_epochs", "rung", "worker", "seed", "reason"]
CURVE_COLUMNS = ["trial_id"] + list(EPOCH_FIELDS)


def metric_names(study):
    """Every metric the study's trials reported, in name order."""
    return sorted({name for t in study.trials for e in t.curve for name in e.metrics})


def _metric_columns(names, taken):
    """As report/export.cpp: a metric's column is its name, metric_NAME when taken."""
    return [("metric_" + n if n in taken else n, n) for n in names]


def _timestamp(unix_seconds):
    """As report/export.cpp's iso_utc: UTC, rounded to the millisecond; NaT for 0."""
    if not (unix_seconds > 0 and math.isfinite(unix_seconds)):
        return pd.NaT
    millis = math.floor(unix_seconds * 1000.0 + 0.5)  # llround for a positive number
    return pd.Timestamp(millis, unit="ms", tz="UTC")


def _nan(value):
    return np.nan if value is None else value


def _kind_of(values, spec):
    """The dtype of a params_ column: from the spec when known, else from the values."""
    if spec is not None and spec.type == "float":
        return "float64"
    if spec is not None and spec.type == "int":
        return "Int64"
    sample = list(spec.choices) if spec is not None else [v for v in values if v is not None]
    if sample and all(isinstance(v, bool) for v in sample):
        return "boolean"
    if sample and all(isinstance(v, int) and not isinstance(v, bool) for v in sample):
        return "Int64"
    if sample and all(isinstance(v, float) for v in sample):
        return "float64"
    return "object"


def _param_column(study, name):
    values = [t.params.get(name) for t in study.trials]
    kind = _kind_of(values, study.params.get(name))
    if kind == "float64":
        return pd.Series([_nan(v) for v in values], dtype="float64")
    if kind == "object":
        return pd.Series(values, dtype="object")
    return pd.Series([pd.NA if v is None else v for v in values], dtype=kind)


def trials_dataframe(study):
    columns = {}
    rows = study.trials
    columns["number"] = pd.Series([t.id for t in rows], dtype="int64")
    columns["value"] = pd.Series([_nan(t.value) for t in rows], dtype="float64")
    ended = [t.status in FINISHED and t.end_time > 0 for t in rows]
    columns["datetime_start"] = pd.Series([_timestamp(t.start_time) for t in rows],
                                          dtype="datetime64[ns, UTC]")
    columns["datetime_complete"] = pd.Series(
        [_timestamp(t.end_time) if e else pd.NaT for t, e in zip(rows, ended)],
        dtype="datetime64[ns, UTC]")
    columns["duration"] = pd.Series(
        [t.end_time - t.start_time if e else np.nan for t, e in zip(rows, ended)], dtype="float64")
    for name in study.param_names:
        columns["params_" + name] = _param_column(study, name)
    columns["state"] = pd.Series([t.status for t in rows], dtype="object")
    columns["best_epoch"] = pd.Series([pd.NA if t.best_epoch is None else t.best_epoch
                                       for t in rows], dtype="Int64")
    best = [t.curve[t.best_epoch - 1] if t.best_epoch is not None else None for t in rows]
    taken = set(columns) | set(TRIAL_COLUMNS_TAIL)
    for column, name in _metric_columns(metric_names(study), taken):
        columns[column] = pd.Series([e.metrics.get(name, np.nan) if e else np.nan for e in best],
                                    dtype="float64")
    columns["last_value"] = pd.Series([_nan(t.last_value) for t in rows], dtype="float64")
    columns["epochs"] = pd.Series([t.epochs_run for t in rows], dtype="int64")
    for field in ("max_epochs", "rung", "worker"):
        columns[field] = pd.Series([getattr(t, field) for t in rows], dtype="int64")
    columns["seed"] = pd.Series([t.seed for t in rows], dtype="uint64")
    columns["reason"] = pd.Series([t.reason for t in rows], dtype="object")
    return pd.DataFrame(columns)


def curves_dataframe(study):
    metrics = _metric_columns(metric_names(study), set(CURVE_COLUMNS))
    columns = CURVE_COLUMNS + [column for column, _ in metrics]
    rows = [(t.id,) + tuple(getattr(e, f) for f in EPOCH_FIELDS) +
            tuple(e.metrics.get(name, np.nan) for _, name in metrics)
            for t in study.trials for e in t.curve]
    frame = pd.DataFrame(rows, columns=columns)
    dtypes = {"trial_id": "int64", "epoch": "int64"}
    return frame.astype({c: dtypes.get(c, "float64") for c in columns})
