"""What the tests of the Python reader share: the command line, running rungs, and the
independent views the reader is checked against (h5py reading study.h5 by itself, the CSV
of the real `rungs export`, the text of the real `rungs best`)."""
import argparse
import math
import os
import re
import shlex
import sys

import h5py
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run, strings  # noqa: E402,F401

import rungs  # noqa: E402  (the installed package: see check_installed)
from rungs.space import to_text  # noqa: E402
from rungs.tables import metric_names  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_PACKAGE = os.path.realpath(os.path.join(HERE, "..", "..", "python"))


def parse_args(cases):
    p = argparse.ArgumentParser()
    p.add_argument("case", choices=sorted(cases))
    p.add_argument("--rungs")
    p.add_argument("--writer", help="rungs_report_write_study")
    p.add_argument("--sample-writer", help="rungs_io_write_sample_study")
    p.add_argument("--mpiexec", default="mpirun --oversubscribe --allow-run-as-root")
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    return args


def check_installed():
    """The tests import the package pip installed, not the source tree."""
    where = os.path.realpath(rungs.__file__)
    print("rungs from", where, flush=True)
    check(not where.startswith(SOURCE_PACKAGE + os.sep), f"imported from the source tree: {where}")
    check(where.startswith(os.path.realpath(sys.prefix)), f"imported from {where}, not {sys.prefix}")


def run_study(args, study_yaml, env=None, ranks=3, timeout=240):
    """`rungs run` under mpirun; returns its exit status."""
    cmd = shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study_yaml]
    p = run(cmd, timeout=timeout, env={**os.environ, **(env or {})})
    return p.returncode


# --- h5py's own view -------------------------------------------------------------------

def h5py_view(path):
    """study.h5 as h5py reads it alone: attrs, trial columns, params {name: (values,
    active, kind)} and curve columns."""
    with h5py.File(path, "r") as f:
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        t = f["trials"]
        trials = {k: (strings(d) if h5py.check_string_dtype(d.dtype) else d[()].tolist())
                  for k, d in t.items() if isinstance(d, h5py.Dataset)}
        params = {}
        for name, d in t["params"].items():
            values = strings(d) if h5py.check_string_dtype(d.dtype) else d[()].tolist()
            active = (t["params_active"][name][()].tolist()
                      if "params_active" in t and name in t["params_active"] else [True] * len(values))
            params[name] = (values, active, d.attrs["kind"])
        # /curves' datasets and, as columns of the same rows, /curves/metrics' ones
        curves = {k: d[()].tolist() for k, d in f["curves"].items() if isinstance(d, h5py.Dataset)}
        curves.update({k: d[()].tolist() for k, d in f["curves/metrics"].items()})
    return attrs, trials, params, curves


def same_number(a, b):
    """Equal, bit for bit, NaN equal to NaN and to None (no value)."""
    a = float("nan") if a is None else a
    b = float("nan") if b is None else b
    return (math.isnan(a) and math.isnan(b)) or a == b


def check_against_h5py(study, path):
    """With an empty journal, the reader holds exactly what h5py reads in study.h5."""
    attrs, trials, params, curves = h5py_view(path)
    for key in ("name", "metric", "direction", "state"):
        check(getattr(study, key) == attrs[key], f"{key}: {getattr(study, key)!r} vs {attrs[key]!r}")
    check(study.start_time == attrs["start_time"] and study.elapsed == attrs["elapsed"], "times")
    check([t.id for t in study.trials] == trials["id"], "trial ids")
    for field, column in [("status", "status"), ("seed", "seed"), ("max_epochs", "max_epochs"),
                          ("epochs_run", "epochs_run"), ("rung", "rung"), ("worker", "worker"),
                          ("attempts", "attempts"), ("lost", "lost"),
                          ("checkpoint_epoch", "checkpoint_epoch"), ("start_time", "start_time"),
                          ("end_time", "end_time"), ("reason", "reason")]:
        got = [getattr(t, field) for t in study.trials]
        check(got == trials[column], f"/trials/{column}: {got} vs {trials[column]}")
    for field in ("best_value", "last_value"):
        got = [t.value if field == "best_value" else t.last_value for t in study.trials]
        check(all(same_number(a, b) for a, b in zip(got, trials[field])),
              f"{field} as study.h5 stores it: {got} vs {trials[field]}")
    for name, (values, active, kind) in params.items():
        for t, want, on in zip(study.trials, values, active):
            check((name in t.params) == bool(on), f"trial {t.id}: {name} present exactly when active")
            if not on:
                continue
            got = t.params[name]
            if kind == "string":  # mixed categoricals come back typed; their text is stored
                check(to_text(got) == want, f"trial {t.id} {name}: {got!r} vs {want!r}")
            else:
                check(type(got) is {"float": float, "int": int, "bool": bool}[kind] and got == want,
                      f"trial {t.id} {name}: {got!r} ({kind}) vs {want!r}")
    frame = study.curves_dataframe()
    metrics = sorted(k for k in curves if k not in ("trial_id", "epoch", "value", "seconds", "time"))
    check(list(frame.columns) == ["trial_id", "epoch", "value", "seconds", "time"] + metrics,
          f"curves columns {list(frame.columns)}")
    for column, values in curves.items():
        check(np.array_equal(frame[column].to_numpy(), np.array(values), equal_nan=True),
              f"/curves/{column} exactly")
    print(f"ok: {path} as h5py reads it ({len(study.trials)} trials, {len(frame)} epochs)", flush=True)


# --- rungs export ----------------------------------------------------------------------

def _iso(ts):
    if pd.isna(ts):
        return ""
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def as_csv_text(cell):
    """A DataFrame cell as `rungs export` writes it."""
    if cell is None or cell is pd.NA or cell is pd.NaT:
        return ""
    if isinstance(cell, pd.Timestamp):
        return _iso(cell)
    if hasattr(cell, "item"):  # numpy scalars
        cell = cell.item()
    if isinstance(cell, float) and math.isnan(cell):
        return ""
    return to_text(cell)


def check_against_export(study, rungs_exe, path, workdir):
    """trials_dataframe() and curves_dataframe() hold what `rungs export` writes, cell for
    cell, with Optuna's column names and types pandas can compute with."""
    csv, curves_csv = os.path.join(workdir, "trials.csv"), os.path.join(workdir, "curves.csv")
    p = run([rungs_exe, "export", path, "--csv", csv, "--curves", curves_csv])
    check(p.returncode == 0, f"rungs export: exit status {p.returncode}")
    df = study.trials_dataframe()
    raw = pd.read_csv(csv, dtype=str, keep_default_na=False)
    check(list(df.columns) == list(raw.columns), f"columns {list(df.columns)} vs {list(raw.columns)}")
    check(len(df) == len(raw), f"{len(df)} rows vs {len(raw)}")
    for column in raw.columns:
        got = [as_csv_text(c) for c in df[column]]
        check(got == list(raw[column]), f"column {column}: {got} vs {list(raw[column])}")
    # Types a user computes with.
    check(str(df.datetime_start.dtype) == "datetime64[ns, UTC]", f"datetime dtype {df.datetime_start.dtype}")
    for column in ["value", "duration", "last_value"] + metric_names(study):
        check(df[column].dtype == np.float64, f"{column} is float64")
    typed = pd.read_csv(csv, keep_default_na=False, na_values=[""], float_precision="round_trip")
    check(np.array_equal(df.value.to_numpy(), typed.value.to_numpy(float), equal_nan=True),
          "value equals the CSV's, read back as numbers")

    curves = study.curves_dataframe().rename(columns={"trial_id": "number"})
    raw_curves = pd.read_csv(curves_csv, dtype=str, keep_default_na=False)
    check(list(curves.columns) == list(raw_curves.columns), f"curves columns {list(raw_curves.columns)}")
    check(len(curves) == len(raw_curves), "one curves row per epoch")
    for column in raw_curves.columns:
        got = [as_csv_text(c) for c in curves[column]]
        check(got == list(raw_curves[column]), f"curves column {column} differs from the CSV")
    print(f"ok: {path}: the DataFrames equal rungs export's CSV ({len(df)} trials, "
          f"{len(curves)} epochs)", flush=True)
    return df


def check_against_best(study, rungs_exe, path):
    """best_trial is what `rungs best` reports."""
    p = run([rungs_exe, "best", path])
    check(p.returncode == 0, f"rungs best: exit status {p.returncode}")
    best = study.best_trial
    if "no trial has a result yet" in p.stdout:
        check(best is None, f"rungs best has none; the reader has {best}")
        return
    m = re.search(r"best trial (\d+): (\S+) (\S+) \((\w+)\) after (\d+) epochs, rung (\d+), (\w+)", p.stdout)
    check(m is not None and best is not None, f"a best trial in {p.stdout!r} and the reader")
    check(int(m.group(1)) == best.id, f"best trial {m.group(1)} vs {best.id}")
    check(m.group(2) == study.metric and m.group(4) == study.direction, "metric and direction")
    check(m.group(3) == "%.4f" % best.value, f"value {m.group(3)} vs {best.value}")
    check(int(m.group(5)) == best.epochs_run and m.group(7) == best.status, "epochs and status")
    lines = dict(re.findall(r"^  (\w+): (.*)$", p.stdout, flags=re.M))
    check(lines == {k: to_text(v) for k, v in best.params.items()}, f"params {lines} vs {best.params}")
    print(f"ok: best trial {best.id} ({best.value}) as rungs best says", flush=True)
