#!/usr/bin/python3
"""Reads study.h5 files the way a user would, with h5py and numpy, and checks them.

check_study_h5.py FILE            the sample study written by write_sample_study
check_study_h5.py --open-only F.. each file opens and its columns have matching lengths
check_study_h5.py --best RUNGS FILE  `rungs best FILE` shows the best trial's schedule and lineage
"""
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

STATUSES = ["completed", "stopped", "failed", "running", "paused", "completed"]
EPOCHS = [0, 7, 3, 10, 6, 2]
TRIAL_COLUMNS = {
    "id": np.int64, "seed": np.uint64, "max_epochs": np.int64, "epochs_run": np.int64,
    "rung": np.int64, "worker": np.int64, "attempts": np.int64, "lost": np.int64, "checkpoint_epoch": np.int64, "start_time": np.float64, "end_time": np.float64,
    "best_value": np.float64, "last_value": np.float64,
}
CURVE_COLUMNS = ["trial_id", "epoch", "value", "seconds", "time"]


def check_lengths(f):
    assert f.attrs["format"] == "rungs-study", f.attrs["format"]
    n = len(f["trials/id"])
    for name, column in f["trials"].items():
        if isinstance(column, h5py.Dataset):
            assert len(column) == n, (name, len(column), n)
    for group in ("trials/params", "trials/params_active"):
        for name, column in f[group].items():
            assert len(column) == n, (group, name)
    rows = len(f["curves/trial_id"])
    for name in CURVE_COLUMNS:
        assert len(f["curves"][name]) == rows, name
    for name, column in f["curves/metrics"].items():
        assert len(column) == rows and column.dtype == np.float64, name
    assert rows == int(f["trials/epochs_run"][:].sum())
    return n


def check_sample(path):
    with h5py.File(path, "r") as f:
        n = check_lengths(f)
        assert n == 6, n
        assert isinstance(f.attrs["name"], str) and f.attrs["name"] == "t"
        assert f.attrs["format_version"] == 2
        assert f.attrs["direction"] == "maximize"
        assert f.attrs["metric"] == "val_accuracy"
        assert f.attrs["state"] == "finished"
        assert f.attrs["elapsed"] == 42.0
        assert isinstance(f.attrs["rungs_version"], str)
        assert "search_space:" in f["study_yaml"].asstr()[()]

        trials = f["trials"]
        for name, dtype in TRIAL_COLUMNS.items():
            assert trials[name].dtype == dtype, (name, trials[name].dtype)
        assert list(trials["id"][:]) == list(range(6))
        statuses = list(trials["status"].asstr()[:])
        assert all(isinstance(s, str) for s in statuses)
        assert statuses == STATUSES, statuses
        assert list(trials["epochs_run"][:]) == EPOCHS
        assert list(trials["seed"][:]) == [1000 + i for i in range(6)]
        assert list(trials["attempts"][:]) == [1, 2, 3, 1, 2, 3]
        assert list(trials["checkpoint_epoch"][:]) == [e // 2 for e in EPOCHS]
        reasons = list(trials["reason"].asstr()[:])
        assert reasons[2] == "loss became NaN at epoch 2", reasons
        assert np.isnan(trials["best_value"][0]) and np.isnan(trials["last_value"][0])

        params = trials["params"]
        kinds = {name: params[name].attrs["kind"] for name in params}
        assert kinds == {"lr": "float", "layers": "int", "optimizer": "string",
                         "momentum": "float", "nesterov": "bool", "width": "string"}, kinds
        assert params["lr"].dtype == np.float64
        assert np.allclose(params["lr"][:], [0.001 * (i + 1) for i in range(6)])
        assert params["layers"].dtype == np.int64
        assert list(params["layers"][:]) == [1, 2, 3, 4, 1, 2]
        optimizer = list(params["optimizer"].asstr()[:])
        assert optimizer == ["adam", "sgd"] * 3, optimizer
        nesterov = params["nesterov"][:]
        assert nesterov.dtype == np.bool_, nesterov.dtype
        assert list(nesterov) == [True, False, False, True, False, False]
        assert list(params["width"].asstr()[:]) == ["64", "auto"] * 3
        active = trials["params_active"]
        assert list(active) == ["momentum"], list(active)
        assert active["momentum"].dtype == np.bool_
        present = active["momentum"][:]
        assert list(present) == [o == "sgd" for o in optimizer]
        momentum = params["momentum"][:]
        assert np.all(np.isnan(momentum[~present])) and np.all(momentum[present] == 0.9)

        curves = f["curves"]
        trial_id = curves["trial_id"][:]
        epoch = curves["epoch"][:]
        assert len(trial_id) == sum(EPOCHS)
        assert np.all(np.diff(trial_id) >= 0)
        for i in range(6):
            rows = trial_id == i
            assert list(epoch[rows]) == list(range(1, EPOCHS[i] + 1)), (i, epoch[rows])
            if EPOCHS[i]:
                values = curves["value"][rows]
                assert trials["best_value"][i] == values.max()
                assert trials["last_value"][i] == values[-1]
                metrics = curves["metrics"]
                assert sorted(metrics) == ["bleu", "train_loss", "val_accuracy", "val_loss"], list(metrics)
                assert np.array_equal(metrics["val_accuracy"][rows], values)
                assert np.array_equal(metrics["train_loss"][rows], 0.9 / np.arange(1, EPOCHS[i] + 1))
                # bleu: reported now and then (study_fixture.cpp); NaN where an epoch has none
                bleu = metrics["bleu"][rows]
                expected = [20.0 + e if i % 3 == 1 and e % 2 == 0 else np.nan for e in range(1, EPOCHS[i] + 1)]
                assert np.array_equal(bleu, expected, equal_nan=True), (i, bleu)

        check_segments(f)

        test = f["test"].attrs
        assert test["trial_id"] == 3 and test["accuracy"] == 0.875 and test["loss"] == 0.4
        sampler = f["state/sampler"][:]
        assert sampler.dtype == np.uint8 and sampler.tobytes() == b"sampler-state"
        assert len(f["state/scheduler"]) == 0
    print(f"{path}: ok ({n} trials, {sum(EPOCHS)} curve rows)")


def schedule_of(f):
    """/trials/segments as a DataFrame, as docs/results.md reads it."""
    s = f["trials/segments"]
    schedule = pd.DataFrame({name: s[name][:] for name in
                             ["trial_id", "start_epoch", "end_epoch", "clone_trial", "clone_epoch"]})
    for name, column in s["params"].items():
        schedule[name] = column.asstr()[:] if column.attrs["kind"] == "string" else column[:]
    return schedule


def check_segments(f):
    # One row per segment: trial 3 (10 epochs) has three (study_fixture.cpp), the others one.
    schedule = schedule_of(f)
    assert list(schedule.trial_id) == [0, 1, 2, 3, 3, 3, 4, 5], list(schedule.trial_id)
    assert schedule.start_epoch.dtype == np.int64
    mine = schedule[schedule.trial_id == 3]
    assert list(mine.start_epoch) == [0, 4, 7] and list(mine.end_epoch) == [4, 7, 10], mine
    assert list(mine.clone_trial) == [-1, 1, 0] and list(mine.clone_epoch) == [-1, 3, 2], mine
    assert np.allclose(mine.lr, [0.004, 0.0048, 0.0048]), mine.lr
    assert list(mine.optimizer) == ["sgd", "sgd", "adam"], mine.optimizer
    active = f["trials/segments/params_active/momentum"][:][schedule.trial_id == 3]
    assert list(active) == [True, True, False], active
    others = schedule[schedule.trial_id != 3]
    assert list(others.end_epoch) == [EPOCHS[i] for i in others.trial_id]
    assert (others.start_epoch == 0).all() and (others.clone_trial == -1).all()
    assert np.allclose(others.lr, [0.001 * (i + 1) for i in others.trial_id])


def check_best(rungs, path):
    out = subprocess.run([rungs, "best", path], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    assert any(line.startswith("best trial 3:") for line in lines), out
    schedule = lines.index("schedule:")
    assert lines[schedule + 1].startswith("  epochs 1-4: {"), out
    assert lines[schedule + 2].startswith("  epochs 5-7: {") and lines[schedule + 2].endswith(
        "(from trial 1 at epoch 3)"), out
    assert "optimizer: adam" in lines[schedule + 3] and lines[schedule + 3].endswith(
        "(from trial 0 at epoch 2)"), out
    # Trial 0's epoch 2 was its own (it never cloned): the chain ends there.
    assert "lineage: trial 3 <- trial 0 at epoch 2" in lines, out
    print(f"rungs best {path}: schedule and lineage ok")


def main(argv):
    if len(argv) == 4 and argv[1] == "--best":
        check_best(argv[2], argv[3])
        return 0
    if len(argv) >= 2 and argv[1] == "--open-only":
        for path in argv[2:]:
            with h5py.File(path, "r") as f:
                check_lengths(f)
        print(f"h5py opened {len(argv) - 2} files")
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    check_sample(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
