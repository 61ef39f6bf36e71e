#!/usr/bin/python3
"""How close rungs comes to the ideal wall time on many short trials, and how busy rank 0 is.

Runs a study of many short trials (a small MLP on a few thousand Fashion-MNIST images, so
that an epoch takes tens of milliseconds) under `mpirun -n W+1`, then reads study.h5:

  ideal   = (sum over every epoch of its `seconds`, the workers' own train + validate time)
            / W workers
  wall    = time from the first epoch's start (the workers have loaded the data) to the
            last result (rank 0's clock); also printed from the study's start
  overhead = wall / ideal - 1: everything that is not training or validating -- building
            each trial's model, checkpoints, the round trips to rank 0, the sampler and
            scheduler, rank 0's writes of study.h5, workers waiting for work.

Also prints rank 0's CPU use over the run (from /proc, as a share of one core) and the wall
time from launch (process start-up and data loading included). Run it with one worker per
free core, e.g. W=1 on a 2-core machine (rank 0 takes the other core) or W=2 to share.

usage: bench/coordinator_overhead.py [--build DIR] [--workers W] [--trials N] [--samples S]
                                     [--checkpoint-every E]
"""
import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (None once it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError):
        return None


def rank0_pid(mpirun_pid, rungs):
    """The rungs process that mpirun started first (rank 0: the lowest pid among them)."""
    out = subprocess.run(["pgrep", "-P", str(mpirun_pid)], capture_output=True, text=True)
    pids = sorted(int(p) for p in out.stdout.split())
    for pid in pids:
        try:
            if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == os.path.basename(rungs):
                return pid
        except OSError:
            pass
    return None


def run_watched(cmd, rungs):
    """Runs `cmd` (an mpirun of `rungs`) to its end, sampling rank 0's CPU seconds every
    0.2 s: (process, stdout, stderr, [(time, cpu seconds)], seconds from launch)."""
    launch = time.time()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    samples = []

    def watch():
        pid = None
        while proc.poll() is None:
            pid = pid or rank0_pid(proc.pid, rungs)
            if pid:
                used = cpu_seconds(pid)
                if used is not None:
                    samples.append((time.time(), used))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch)
    watcher.start()
    out, err = proc.communicate()
    watcher.join()
    return proc, out, err, samples, time.time() - launch


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--samples", type=int, default=3000, help="training images per epoch")
    ap.add_argument("--checkpoint-every", type=int, default=1)
    args = ap.parse_args()
    rungs = os.path.join(args.build, "rungs")
    mpirun = shlex.split(os.environ.get("MPIRUN", os.path.join(ROOT, "scripts/mpirun.sh")))

    with tempfile.TemporaryDirectory(prefix="rungs_overhead_") as work:
        study = os.path.join(work, "study.yaml")
        output = os.path.join(work, "out")
        with open(study, "w") as f:
            f.write(f"""\
name: overhead
seed: 3
output: {output}
objective: {{model: mlp, metric: val_accuracy, train_samples: {args.samples}, val_samples: 1000}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
fixed: {{layers: 1, width: 64, batch_size: 128}}
sampler: random
scheduler: fifo
budget: {{max_trials: {args.trials}, epochs: {args.epochs}}}
resources: {{threads_per_worker: 1}}
checkpoints: {{every: {args.checkpoint_every}}}
""")
        proc, out, err, samples, from_launch = run_watched(
            mpirun + ["-n", str(args.workers + 1), rungs, "run", study], rungs)
        if proc.returncode != 0:
            sys.exit(f"rungs failed ({proc.returncode}):\n{out[-2000:]}\n{err[-2000:]}")
        with h5py.File(os.path.join(output, "study.h5"), "r") as f:
            seconds = f["curves/seconds"][()]
            times = f["curves/time"][()]
            trials = len(f["trials/id"])
            # When the first epoch began: the workers' start-up and data loading are over.
            first = float((times - seconds).min())

    work_time = float(seconds.sum())
    ideal = work_time / args.workers
    wall = float(times.max())
    print(f"{trials} trials x {args.epochs} epochs of {args.samples} images, {args.workers} "
          f"worker(s), checkpoints every {args.checkpoint_every} epoch(s); "
          f"{os.cpu_count()} cores")
    print(f"mean epoch (train + validate) {1000 * seconds.mean():.1f} ms; "
          f"mean trial {1000 * work_time / trials:.1f} ms of work")
    print(f"ideal {ideal:.2f} s; wall from the first epoch {wall - first:.2f} s: overhead "
          f"{100 * ((wall - first) / ideal - 1):.1f}% ({1000 * ((wall - first) - ideal) * args.workers / trials:.1f} ms "
          f"per trial); from the study's start {wall:.2f} s (workers loading data first)")
    print(f"from launch: {from_launch:.2f} s (start-up, data loading and shutdown included)")
    if len(samples) >= 2:
        (t0, c0), (t1, c1) = samples[0], samples[-1]
        print(f"rank 0 CPU: {100 * (c1 - c0) / (t1 - t0):.1f}% of a core over {t1 - t0:.1f} s")


if __name__ == "__main__":
    main()
