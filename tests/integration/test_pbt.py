#!/usr/bin/python3
"""PBT in a real run: `rungs run` under mpirun with the built-in trainer on a small
Fashion-MNIST study, read back with h5py and pandas.

Trial 3 is enqueued with a learning rate too small to learn in one epoch. It starts after
two trials have reported, so at its first segment's end (epoch 1) it is the worst of at
least three and is cloned from the best, whatever the timing: its epoch 2 continues from
the donor's weights, close to the donor's value, far above its own epoch 1.
Case resume: rank 0 is killed at a fault point (the Nth journal sync, so the moment is
fixed by construction, not by a clock; every run of this study syncs more than 22 times)
and the study is run again: every segment recorded before the kill (read from the first
snapshot of a run killed right after it) is still there, unchanged, and the study completes with a schedule per trial whose clones
name trials and epochs that exist.
Usage: test_pbt.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import os
import shlex
import sys

import h5py
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run, run_case, strings  # noqa: E402

STUDY = """\
name: pbt
seed: 3
output: {output}
objective: {{model: mlp, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}}
search_space:
  lr: {{type: float, low: 1.0e-6, high: 1.0e-1, log: true}}
fixed: {{layers: 1, width: 32, optimizer: adam}}
enqueue:
  - {{lr: 0.01}}
  - {{lr: 0.003}}
  - {{lr: 0.01}}
  - {{lr: 1.0e-6}}
sampler: random
scheduler: {{name: pbt, population: 4, interval: 1, quantile: 0.25, resample_probability: 0}}
budget: {{max_trials: 4, epochs: 3}}
resources: {{threads_per_worker: 1}}
"""


def schedule_of(f):
    s = f["trials/segments"]
    schedule = pd.DataFrame({name: s[name][:] for name in
                             ["trial_id", "start_epoch", "end_epoch", "clone_trial", "clone_epoch"]})
    schedule["lr"] = s["params/lr"][:]
    return schedule


def write_study(workdir):
    output = os.path.join(workdir, "out")
    study = os.path.join(workdir, "pbt.yaml")
    os.makedirs(workdir, exist_ok=True)
    with open(study, "w") as f:
        f.write(STUDY.format(output=output))
    return study, output


def segments(path):
    """{trial: [(start, clone_trial, clone_epoch, lr), ...]} as study.h5 has them."""
    with h5py.File(path, "r") as f:
        s = schedule_of(f)
    out = {}
    for r in s.itertuples():
        out.setdefault(int(r.trial_id), []).append((int(r.start_epoch), int(r.clone_trial),
                                                    int(r.clone_epoch), float(r.lr)))
    return out


def case_resume(args):
    clones_before = 0
    for point in ["journal.before_sync:8", "journal.before_sync:15", "journal.before_sync:22"]:
        study, output = write_study(os.path.join(args.workdir, point.replace(":", "_")))
        path = os.path.join(output, "study.h5")
        cmd = shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study]
        p = run(cmd, timeout=200, env={**os.environ, "RUNGS_FAULT": point})
        check(p.returncode != 0, f"{point}: the fault killed the run")
        # A run killed right after its first snapshot (which holds the journal it replayed)
        # leaves in study.h5 every record of the killed run.
        p = run(cmd, timeout=200, env={**os.environ, "RUNGS_FAULT": "snapshot.before_journal_reset:1"})
        check(p.returncode != 0, f"{point}: the second fault killed the run")
        before = segments(path)
        clones_before += sum(len(rows) - 1 for rows in before.values())
        p = run(cmd, timeout=200)
        check(p.returncode == 0, f"{point}: the resumed run finishes")
        after = segments(path)
        with h5py.File(path, "r") as f:
            check(strings(f["trials/status"]) == ["completed"] * 4, f"{point}: the population completed")
            epochs = {i: int(e) for i, e in enumerate(f["trials/epochs_run"][:])}
        for trial, rows in before.items():
            check(after[trial][:len(rows)] == rows, f"{point}: trial {trial}'s recorded segments stay: "
                                                   f"{rows} then {after[trial]}")
        for trial, rows in after.items():
            for start, donor, epoch, _ in rows[1:]:
                check(donor in epochs and donor != trial and 1 <= epoch <= epochs[donor],
                      f"{point}: trial {trial} cloned trial {donor} at epoch {epoch}, which exists")
        print("ok", point, "before:", before, "after:", after, flush=True)
    check(clones_before > 0, "some kill came after a clone was recorded")


def case_clone(args):
    study, output = write_study(args.workdir)
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study], timeout=280)
    check(p.returncode == 0, f"rungs run exit status {p.returncode}")
    path = os.path.join(output, "study.h5")
    with h5py.File(path, "r") as f:
        check(strings(f["trials/status"]) == ["completed"] * 4, "the population of 4 completed")
        check(list(f["trials/epochs_run"][:]) == [3] * 4, "every trial trained 3 epochs")
        schedule = schedule_of(f)
        c = f["curves"]
        curves = pd.DataFrame({"trial_id": c["trial_id"][:], "epoch": c["epoch"][:], "value": c["value"][:]})
        lr = f["trials/params/lr"][:]
    value = {(int(r.trial_id), int(r.epoch)): r.value for r in curves.itertuples()}
    check(lr[3] == 1.0e-6, "a trial's params stay its first segment's")
    mine = schedule[schedule.trial_id == 3]
    check(list(mine.start_epoch[:2]) == [0, 1], f"trial 3 began a segment after epoch 1: {mine}")
    clone = mine.iloc[1]
    donor, epoch = int(clone.clone_trial), int(clone.clone_epoch)
    check(donor in (0, 1, 2) and epoch >= 1, f"cloned from another trial's checkpoint: {mine}")
    ratio = clone.lr / schedule[(schedule.trial_id == donor)].lr.iloc[0]
    check(abs(ratio - 0.8) < 1e-9 or abs(ratio - 1.2) < 1e-9 or donor_changed(schedule, donor),
          f"its lr is the donor's times a factor: {clone.lr}")
    own, after, theirs = value[(3, 1)], value[(3, 2)], value[(donor, epoch)]
    check(after > own + 0.2, f"epoch 2 ({after:.3f}) is far above its own epoch 1 ({own:.3f})")
    check(after > theirs - 0.1, f"epoch 2 ({after:.3f}) continues from the donor's {theirs:.3f}")
    for t, rows in schedule.groupby("trial_id"):
        check(rows.end_epoch.iloc[-1] == 3 and rows.start_epoch.iloc[0] == 0, f"trial {t}'s schedule spans it")

    p = run([args.rungs, "best", path])
    check(p.returncode == 0, "rungs best")
    best = int(p.stdout.split("best trial ")[1].split(":")[0])
    if (schedule.trial_id == best).sum() > 1:
        check("schedule:" in p.stdout and f"lineage: trial {best} <- trial " in p.stdout,
              f"rungs best names the lineage: {p.stdout}")
    else:
        check("lineage:" not in p.stdout, "no lineage for a trial that never cloned")
    print(schedule.to_string())


def donor_changed(schedule, donor):
    """The donor may itself have been cloned before: its lr then is a later segment's."""
    return (schedule.trial_id == donor).sum() > 1


if __name__ == "__main__":
    run_case({"clone": case_clone, "resume": case_resume})
