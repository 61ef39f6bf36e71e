#!/usr/bin/python3
"""PBT in a real run: `rungs run` under mpirun with the built-in trainer on a small
Fashion-MNIST study, read back with h5py and pandas.

Trial 3 is enqueued with a learning rate too small to learn in one epoch. It starts after
two trials have reported, so at its first segment's end (epoch 1) it is the worst of at
least three and is cloned from the best, whatever the timing: its epoch 2 continues from
the donor's weights, close to the donor's value, far above its own epoch 1.
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


def case_clone(args):
    output = os.path.join(args.workdir, "out")
    study = os.path.join(args.workdir, "pbt.yaml")
    with open(study, "w") as f:
        f.write(STUDY.format(output=output))
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
    p = run([args.rungs, "best", path]) if False else p
    print(schedule.to_string())


def donor_changed(schedule, donor):
    """The donor may itself have been cloned before: its lr then is a later segment's."""
    return (schedule.trial_id == donor).sum() > 1


if __name__ == "__main__":
    run_case({"clone": case_clone})
