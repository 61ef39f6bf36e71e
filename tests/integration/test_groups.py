#!/usr/bin/python3
"""Trial groups (resources.ranks_per_trial) end to end under real mpirun.

Usage: test_groups.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import argparse
import os
import shlex
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from test_run import check, run, strings  # noqa: E402

STUDY = """\
name: groups
seed: 9
output: {output}
objective: {{model: mlp, metric: val_accuracy, direction: maximize, train_samples: 1500, val_samples: 501}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
  optimizer: {{type: categorical, choices: [adam, sgd]}}
fixed: {{layers: 1, width: 32, batch_size: 75, dropout: 0.0}}
sampler: random
scheduler: fifo
budget: {{max_trials: {trials}, epochs: 2}}
resources: {{ranks_per_trial: {k}, threads_per_worker: 1}}
"""


def write(workdir, name, k, trials=4):
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, name + "_out")
    path = os.path.join(workdir, name + ".yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, k=k, trials=trials))
    return path, output


def read(output):
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        t, c = f["trials"], f["curves"]
        trials = {
            "status": strings(t["status"]),
            "worker": t["worker"][()],
            "lr": t["params/lr"][()],
            "optimizer": strings(t["params/optimizer"]),
        }
        curves = {name: c[name][()] for name in
                  ("trial_id", "epoch", "train_loss", "val_loss", "val_accuracy", "seconds", "time")}
    return trials, curves


def mpirun(args, ranks, study, timeout=400):
    return run(shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study], timeout)


def case_match_single(args):
    """K=2 trials (mpirun -n 5: two groups of two) train like K=1 trials with the same seeds."""
    grouped, out2 = write(args.workdir, "k2", 2)
    p = mpirun(args, 5, grouped)
    check(p.returncode == 0, f"K=2 run exit status {p.returncode}")
    check("2 trial groups of 2 ranks" in p.stdout, "the run says how the groups formed")
    single, out1 = write(args.workdir, "k1", 1)
    p = mpirun(args, 2, single)
    check(p.returncode == 0, f"K=1 run exit status {p.returncode}")
    t2, c2 = read(out2)
    t1, c1 = read(out1)
    check(t2["status"] == ["completed"] * 4 and t1["status"] == ["completed"] * 4, "all completed")
    check(np.allclose(t2["lr"], t1["lr"]) and t2["optimizer"] == t1["optimizer"], "same trials")
    worst = {}
    for i in range(4):
        r2, r1 = c2["trial_id"] == i, c1["trial_id"] == i
        check(list(c2["epoch"][r2]) == [1, 2] and list(c1["epoch"][r1]) == [1, 2], f"epochs of {i}")
        for name, tol in (("train_loss", 1e-4), ("val_loss", 1e-4), ("val_accuracy", 2.5 / 501)):
            d = float(np.max(np.abs(c2[name][r2] - c1[name][r1])))
            worst[name] = max(worst.get(name, 0.0), d)
            check(d <= tol, f"trial {i} {name}: K=2 {c2[name][r2]} vs K=1 {c1[name][r1]}")
    print("largest K=2 vs K=1 differences:", worst)
    # The coordinator sees two workers (the leaders), and their trials overlap in time.
    check(set(int(w) for w in t2["worker"]) == {1, 2}, f"two group leaders ran trials: {t2['worker']}")
    spans = {}
    for i in range(4):
        rows = c2["trial_id"] == i
        end = float(c2["time"][rows].max())
        begin = float(c2["time"][rows].min() - c2["seconds"][rows][0])
        spans[i] = (begin, end, int(t2["worker"][i]))
    overlap = any(a[2] != b[2] and a[0] < b[1] and b[0] < a[1]
                  for a in spans.values() for b in spans.values())
    check(overlap, f"the two groups train at the same time: {spans}")


def case_bad_size(args):
    """Sizes that do not divide: one clear line, exit 2, on every rank, no hang, no file."""
    study, output = write(args.workdir, "bad", 2)
    for ranks, text in ((4, "2 does not divide the 3 worker ranks (mpirun -n 4 has 3 workers); "
                            "use mpirun -n 3 or -n 5"),
                        (2, "2 does not divide the 1 worker rank (mpirun -n 2 has 1 worker); "
                            "use mpirun -n 3")):
        p = mpirun(args, ranks, study, timeout=60)
        check(p.returncode == 2, f"-n {ranks}: exit status 2, got {p.returncode}")
        ours = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
        check(ours == [f"rungs: {study}: resources.ranks_per_trial: {text}"], f"one line: {ours}")
        check(not os.path.exists(os.path.join(output, "study.h5")), "no study file")


def case_one_group(args):
    """A single group of two (mpirun -n 3) runs a whole study."""
    study, output = write(args.workdir, "one", 2, trials=2)
    p = mpirun(args, 3, study)
    check(p.returncode == 0, f"exit status {p.returncode}")
    t, _ = read(output)
    check(t["status"] == ["completed"] * 2, f"statuses {t['status']}")
    check(set(int(w) for w in t["worker"]) == {1}, "one group leader")


def case_nan(args):
    """A diverging K=2 trial fails on every rank at the same step: a failed trial, no hang."""
    study, output = write(args.workdir, "nan", 2, trials=2)
    text = open(study).read().replace("batch_size: 75,", "batch_size: 75, lr: 1.0e+8,")
    text = text.replace("  lr: {type: float, low: 1.0e-3, high: 1.0e-2, log: true}\n", "")
    text = text.replace("choices: [adam, sgd]", "choices: [sgd]")
    open(study, "w").write(text)
    p = mpirun(args, 5, study, timeout=120)
    check(p.returncode == 0, f"exit status {p.returncode}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        status, reasons = strings(f["trials/status"]), strings(f["trials/reason"])
    check(status == ["failed"] * 2, f"statuses {status}")
    check(all("nan" in r or "inf" in r for r in reasons), f"reasons {reasons}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    {"match_single": case_match_single, "bad_size": case_bad_size,
     "one_group": case_one_group, "nan": case_nan}[args.case](args)
    print("ok", args.case)


if __name__ == "__main__":
    main()
