#!/usr/bin/python3
"""A training program for rungs' tests: a synthetic learning curve that peaks at lr = 1e-2,
checkpointed and resumed through the client like a real script. `--mode` makes it misbehave
as the failure table says (tests/command/test_command.py)."""
import argparse
import json
import math
import os
import signal
import sys
import time

import rungs_trial

ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--mode", default="ok")
ap.add_argument("--epoch-seconds", type=float, default=0.05)
ap.add_argument("--epochs", type=int, default=4, help="without rungs")
ap.add_argument("--hold-file", help="after epoch 1 (answered), write `held` into the trial's "
                "folder and wait until this file exists: every trial stops at a known point")
args, _ = ap.parse_known_args()

trial = rungs_trial.init(defaults={"lr": args.lr}, epochs=args.epochs)
lr = float(trial.params.get("lr", args.lr))
mode = args.mode
state = {"epoch": 0, "sum": 0.0}
if trial.resume_from:
    with open(os.path.join(trial.resume_from, "state.json")) as f:
        state = json.load(f)
    assert state["epoch"] == trial.start_epoch, (state, trial.start_epoch)

if mode == "hang_start":
    time.sleep(3600)

for epoch in range(trial.start_epoch + 1, trial.end_epoch + 1):
    deadline = time.time() + args.epoch_seconds
    while time.time() < deadline:
        if trial.should_stop():
            sys.exit(75)
        time.sleep(0.005)
    if mode == "hang_epoch" and epoch == 2:
        time.sleep(3600)
    if mode == "crash" and epoch == 2:
        print("something broke in the data loader", file=sys.stderr)
        sys.exit(3)
    if mode == "oom" and epoch == 2:
        print("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", file=sys.stderr)
        sys.exit(1)
    if mode == "exit75" and epoch == 2 and not trial.resume_from:
        sys.exit(75)
    if mode == "usr1_self" and epoch == 2 and not trial.resume_from:
        os.kill(os.getpid(), signal.SIGUSR1)  # as Slurm signals every process of the job step
    state["epoch"] = epoch
    state["sum"] += 1.0
    with trial.checkpoint(epoch) as folder:
        with open(os.path.join(folder, "state.json"), "w") as f:
            json.dump(state, f)
    accuracy = 0.9 - 0.05 * (math.log10(lr) + 2) ** 2 - 0.1 / epoch
    if mode == "nan" and epoch == 2:
        accuracy = float("nan")
    if mode == "garbage":
        # Lines on the channel that are not reports: rungs counts and ignores them.
        os.write(int(os.environ["RUNGS_TRIAL_FD"]), b"this is not json\n{\"type\": \"nonsense\"}\n" + b"x" * 2_000_000 + b"\n")
    # Any metrics: lr_seen is the lr the program trained with, one name study.h5 cannot hold
    # is dropped (and logged), the rest is stored.
    decision = trial.report(epoch, val_accuracy=accuracy, val_loss=1 - accuracy, train_loss=state["sum"],
                            lr_seen=lr, **{"bad/name": 1.0})
    if decision != "continue":
        if mode == "ignore_stop":
            time.sleep(3600)
        break
    if args.hold_file and epoch == 1:
        open(os.path.join(trial.trial_dir, "held"), "w").close()
        while not os.path.exists(args.hold_file):
            if trial.should_stop():
                sys.exit(75)
            time.sleep(0.05)
