#!/usr/bin/python3
"""Benchmark 5a: rungs' own cost per trial, measured with the synthetic objective.

N trials of E synthetic epochs of S seconds (objective {model: synthetic, mode: sleep}: a
worker sleeps through its epoch, so W workers oversubscribe the cores fairly) on W workers
under real mpirun (W+1 ranks, --oversubscribe), random sampler, fifo scheduler. The ideal
is N*E*S/W seconds; the overhead is how much longer the study took, from the study's start
(rank 0's clock, study.h5) and from mpirun's launch (start-up and shutdown included):

  overhead = wall / ideal - 1

What bounds it, from study.h5: per trial, the time a worker spent outside its epochs
(W * wall - the epochs' seconds) / N -- the round trips to rank 0, the dispatch, the
journal commit before each answer, the checkpoint the trial writes at its end; and rank 0's
CPU share over the run (/proc).

Ray Tune's equivalent (10,000 trials of 1 s on 16 CPUs) is 14% over the ideal.

usage: bench/coordinator/synthetic_overhead.py [--build DIR] [--quick] [--workers W]
           [--trials N] [--epochs E] [--epoch-seconds S] [--checkpoint-every C] [--dir D]
  default: W=16, N=1000 trials of one 1 s epoch, then N trials of 5 epochs of 0.2 s
  --quick: W=8, N=80 (10 s ideal each)
"""
import argparse
import os
import shlex
import sys
import tempfile

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))
from coordinator_overhead import run_watched  # noqa: E402


def measure(rungs, mpirun, workers, trials, epochs, epoch_seconds, checkpoint_every=1, folder=None):
    with tempfile.TemporaryDirectory(prefix="rungs_5a_", dir=folder) as work:
        study = os.path.join(work, "study.yaml")
        output = os.path.join(work, "out")
        with open(study, "w") as f:
            f.write(f"""\
name: bench5a
seed: 3
output: {output}
objective: {{model: synthetic, epoch_seconds: {epoch_seconds}, mode: sleep}}
search_space:
  lr: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
sampler: random
scheduler: fifo
budget: {{max_trials: {trials}, epochs: {epochs}}}
resources: {{threads_per_worker: 1}}
checkpoints: {{every: {checkpoint_every}}}
""")
        proc, out, err, samples, from_launch = run_watched(
            mpirun + ["-n", str(workers + 1), rungs, "run", study], rungs)
        if proc.returncode != 0:
            sys.exit(f"rungs failed ({proc.returncode}):\n{out[-2000:]}\n{err[-2000:]}")
        with h5py.File(os.path.join(output, "study.h5"), "r") as f:
            seconds = f["curves/seconds"][()]
            times = f["curves/time"][()]
            n = len(f["trials/id"])
    ideal = trials * epochs * epoch_seconds / workers
    wall = float(times.max())  # the last result, from the study's start
    gap = (workers * wall - float(seconds.sum())) / n
    print(f"{n} trials x {epochs} epoch(s) of {epoch_seconds} s on {workers} workers "
          f"({os.cpu_count()} cores), checkpoints every {checkpoint_every} epoch(s), in "
          f"{folder or tempfile.gettempdir()}: ideal {ideal:.2f} s")
    print(f"  study (rank 0's clock): {wall:.2f} s, overhead {100 * (wall / ideal - 1):.2f}%")
    print(f"  from launch: {from_launch:.2f} s, overhead {100 * (from_launch / ideal - 1):.2f}% "
          f"(mpirun start-up and shutdown included)")
    print(f"  per trial outside its epochs: {1000 * gap:.1f} ms of a worker's time; "
          f"mean epoch {1000 * seconds.mean():.1f} ms (asked {1000 * epoch_seconds:.0f} ms)")
    if len(samples) >= 2:
        (t0, c0), (t1, c1) = samples[0], samples[-1]
        print(f"  rank 0 CPU: {100 * (c1 - c0) / (t1 - t0):.1f}% of a core")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--trials", type=int)
    ap.add_argument("--epochs", type=int, help="only this case: E epochs of --epoch-seconds")
    ap.add_argument("--epoch-seconds", type=float, default=1.0)
    ap.add_argument("--checkpoint-every", type=int, default=1,
                    help="0: a trial checkpoints only when it ends")
    ap.add_argument("--dir", help="where the study is written (e.g. /dev/shm: no disk syncs)")
    args = ap.parse_args()
    rungs = os.path.join(args.build, "rungs")
    mpirun = shlex.split(os.environ.get("MPIRUN", os.path.join(ROOT, "scripts/mpirun.sh")))
    workers = args.workers or (8 if args.quick else 16)
    trials = args.trials or (80 if args.quick else 1000)
    if args.epochs:
        measure(rungs, mpirun, workers, trials, args.epochs, args.epoch_seconds,
                args.checkpoint_every, args.dir)
        return
    measure(rungs, mpirun, workers, trials, 1, 1.0, args.checkpoint_every, args.dir)
    measure(rungs, mpirun, workers, trials, 5, 0.2, args.checkpoint_every, args.dir)


if __name__ == "__main__":
    main()
