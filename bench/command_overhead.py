#!/usr/bin/python3
"""What rungs adds to a training program run as the trial (objective.command): the same
program, tests/command/programs/synthetic.py, whose epochs take a fixed time (it sleeps),
timed alone and under `mpirun -n 2 rungs run` (one worker), on the same trials and epochs.

  alone    = wall time of `python3 synthetic.py` for each trial's epochs, one after another
             (no rungs: the client answers "continue" at once, checkpoints to ./checkpoints)
  rungs    = wall time of the study from its first trial's launch to its last result
  overhead = (rungs - alone) / (trials * epochs): per epoch, what launching the program,
             reporting, rank 0's decision (its journal's fdatasync before answering) and
             the checkpoint commit cost beyond the program's own work

usage: bench/command_overhead.py [--build DIR] [--trials N] [--epochs E] [--epoch-seconds S]
"""
import argparse
import os
import shlex
import subprocess
import tempfile
import time

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGRAM = os.path.join(ROOT, "tests", "command", "programs", "synthetic.py")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--epoch-seconds", type=float, default=0.2)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="rungs_command_bench_")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNGS_")}
    env["PYTHONPATH"] = os.path.join(ROOT, "command", "client")

    started = time.time()
    for trial in range(args.trials):
        folder = os.path.join(work, "alone", str(trial))
        os.makedirs(folder)
        subprocess.run(["/usr/bin/python3", PROGRAM, "--epochs", str(args.epochs),
                        "--epoch-seconds", str(args.epoch_seconds)], cwd=folder, env=env, check=True)
    alone = time.time() - started

    study = os.path.join(work, "study.yaml")
    output = os.path.join(work, "out")
    with open(study, "w") as f:
        f.write(f"""name: command_bench
output: {output}
objective:
  command: [/usr/bin/python3, {PROGRAM}, --lr, "{{lr}}", --epoch-seconds, "{args.epoch_seconds}"]
  metric: val_accuracy
search_space:
  lr: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
budget: {{max_trials: {args.trials}, epochs: {args.epochs}}}
resources: {{threads_per_worker: 1}}
""")
    mpirun = shlex.split(os.environ.get("MPIRUN", "mpirun --oversubscribe --allow-run-as-root"))
    subprocess.run(mpirun + ["-n", "2", os.path.join(args.build, "rungs"), "run", study],
                   check=True, stdout=subprocess.DEVNULL)
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        start = f["trials/start_time"][()].min()
        end = f["trials/end_time"][()].max()
        epochs = len(f["curves/epoch"])
    under = end - start
    epochs_run = args.trials * args.epochs
    print(f"{args.trials} trials x {args.epochs} epochs of {args.epoch_seconds} s, one worker")
    print(f"alone: {alone:.2f} s; under rungs: {under:.2f} s ({epochs} epochs recorded)")
    print(f"overhead per epoch: {(under - alone) / epochs_run * 1000:.1f} ms "
          f"({(under / alone - 1) * 100:.1f}% of the program's own time)")


if __name__ == "__main__":
    main()
