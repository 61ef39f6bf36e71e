#!/usr/bin/python3
"""Trial groups (resources.ranks_per_trial) end to end under real mpirun.

Usage: test_groups.py CASE --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import argparse
import os
import re
import shlex
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import SKIP, check, run, strings  # noqa: E402

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
resources: {{ranks_per_trial: {k}, threads_per_worker: 1{resources}}}
"""



def write(workdir, name, k, trials=4, resources=""):
    """A study of `trials` trials on groups of `k` ranks; `resources`: more fields of it."""
    os.makedirs(workdir, exist_ok=True)
    output = os.path.join(workdir, name + "_out")
    path = os.path.join(workdir, name + ".yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, k=k, trials=trials,
                             resources=", " + resources if resources else ""))
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
        curves = {name: c[name][()] for name in ("trial_id", "epoch", "seconds", "time")}
        curves.update({name: c["metrics"][name][()] for name in ("train_loss", "val_loss", "val_accuracy")})
    return trials, curves


def mpirun(args, ranks, study, timeout=400):
    return run(shlex.split(args.mpiexec) + ["-n", str(ranks), args.rungs, "run", study], timeout)


def case_match_single(args):
    """K=2 trials (mpirun -n 5: two groups of two) train like K=1 trials with the same seeds."""
    grouped, out2 = write(args.workdir, "k2", 2)
    p = mpirun(args, 5, grouped)
    check(p.returncode == 0, f"K=2 run exit status {p.returncode}")
    check("4 workers on the CPU" in p.stdout, "the run says where the workers train")
    check("2 trial groups of 2 ranks (data parallel, MPI allreduce)" in p.stdout,
          "the run says how the groups formed")
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
    # The coordinator sees two workers, the leaders (ranks 1 and 2 of its communicator), never
    # a member. Which leader gets which trial depends on when each said it was ready, so
    # whether both got one (and trained at the same time) is reported, not required.
    leaders = set(int(w) for w in t2["worker"])
    check(leaders <= {1, 2}, f"only the two group leaders ran trials: {t2['worker']}")
    spans = {}
    for i in range(4):
        rows = c2["trial_id"] == i
        end = float(c2["time"][rows].max())
        begin = float(c2["time"][rows].min() - c2["seconds"][rows][0])
        spans[i] = (begin, end, int(t2["worker"][i]))
    overlap = any(a[2] != b[2] and a[0] < b[1] and b[0] < a[1]
                  for a in spans.values() for b in spans.values())
    print(f"leaders that ran trials: {sorted(leaders)}; groups trained at the same time: {overlap}")


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


def member_fault(args, name, fault, error, reason):
    """A K=2 study of two trials with `fault` injected on rank 2 (the group's member) only:
    the first trial fails on both ranks with `reason`, the member prints `error`, the second
    trial completes and the job ends normally."""
    study, output = write(args.workdir, name, 2, trials=2)
    rungs = [args.rungs, "run", study]
    p = run(shlex.split(args.mpiexec) + ["-n", "2"] + rungs +
            [":", "-n", "1", "env", f"RUNGS_FAULT={fault}"] + rungs, 120)
    check(p.returncode == 0, f"exit status {p.returncode}")
    check(f"rungs: rank 1 of a trial group: {error}" in p.stderr, "the failing rank says why")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        status, reasons = strings(f["trials/status"]), strings(f["trials/reason"])
    check(status == ["failed", "completed"], f"statuses {status}")
    check(reasons[0].startswith(reason), f"reason {reasons[0]}")


def case_replica_fails(args):
    """One member's step fails (at its third step): the group's trial fails on both ranks at
    that step, the next trial runs normally."""
    member_fault(args, "replica", "trainer.replica_step:3", "injected replica failure",
                 "1 of the 2 ranks training this trial failed at epoch 1, step 3")


def case_member_start_fails(args):
    """A member fails alone to start the trial (where it builds the model): the group agrees,
    so the leader does not wait for it in the first allreduce."""
    member_fault(args, "start", "trainer.start:1", "injected start failure",
                 "1 of the 2 ranks training this trial failed to start it")


def rungs_errors(p):
    return [l for l in p.stderr.splitlines() if l.startswith("rungs:")]


def case_cuda_required(args):
    """device: cuda where LibTorch sees no GPU: one line naming the field, exit 2, nothing
    written. Where a GPU is there, the workers say they train on it."""
    study, output = write(args.workdir, "cuda", 1, trials=2, resources="device: cuda")
    p = mpirun(args, 3, study, timeout=120)
    if p.returncode == 0:
        check(re.search(r"2 workers on (cuda:|\d+ GPUs?, )", p.stdout),
              "a GPU machine: the workers train on a GPU")
        return
    check(p.returncode == 2, f"exit status 2, got {p.returncode}")
    check(rungs_errors(p) == [
        f"rungs: {study}: resources.device: cuda, but worker rank 1 sees no CUDA device (a "
        "CPU-only LibTorch, no GPU on its node, or CUDA_VISIBLE_DEVICES hiding them); use "
        "device: auto to train on CPUs there"], f"one line: {rungs_errors(p)}")
    check(not os.path.exists(output), "nothing written: no output folder")


def gpu_run(args, name, ranks, k, trials, resources):
    """Runs a study with device: cuda; exits 77 with rungs' reason where it cannot run."""
    study, output = write(args.workdir, name, k, trials=trials,
                          resources="device: cuda" + (", " + resources if resources else ""))
    p = mpirun(args, ranks, study)
    errors = rungs_errors(p)
    if p.returncode == 2 and errors and any(
            why in errors[0] for why in ("sees no CUDA device", "built without NCCL",
                                         "would share")):
        print("SKIPPED:", errors[0])
        sys.exit(SKIP)
    check(p.returncode == 0, f"exit status {p.returncode}")
    return p, output


def case_gpu_packed(args):
    """trials_per_gpu: 2 single-rank trials share one GPU and train at the same time."""
    p, output = gpu_run(args, "packed", 3, 1, 4, "trials_per_gpu: 2")
    # GPUs are counted by UUID where the CUDA runtime tells them, else named by index.
    check("2 workers on 1 GPU, 2 workers each" in p.stdout or "2 workers on cuda:0 (x2)" in p.stdout,
          "both workers on the first GPU")
    t, c = read(output)
    check(t["status"] == ["completed"] * 4, f"statuses {t['status']}")
    check(float(np.max(c["val_accuracy"])) > 0.5, "the GPU trials learned")
    check(set(int(w) for w in t["worker"]) == {1, 2}, "both workers trained")


def case_gpu_nccl(args):
    """A K=2 trial on two GPUs (NCCL) trains like a K=1 trial on one GPU."""
    p, out2 = gpu_run(args, "nccl2", 3, 2, 2, "")
    check("(data parallel, NCCL allreduce)" in p.stdout, "the group uses NCCL")
    _, out1 = gpu_run(args, "nccl1", 2, 1, 2, "")
    (t2, c2), (t1, c1) = read(out2), read(out1)
    check(t2["status"] == t1["status"] == ["completed"] * 2, "all completed")
    for name, tol in (("train_loss", 1e-3), ("val_loss", 1e-3), ("val_accuracy", 5 / 501)):
        d = float(np.max(np.abs(c2[name] - c1[name])))
        check(d <= tol, f"{name}: K=2 on NCCL vs K=1 differ by {d}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--rungs", required=True)
    ap.add_argument("--mpiexec", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    {"match_single": case_match_single, "bad_size": case_bad_size,
     "one_group": case_one_group, "nan": case_nan, "replica_fails": case_replica_fails,
     "member_start_fails": case_member_start_fails,
     "cuda_required": case_cuda_required,
     "gpu_packed": case_gpu_packed, "gpu_nccl": case_gpu_nccl}[args.case](args)
    print("ok", args.case)


if __name__ == "__main__":
    main()
