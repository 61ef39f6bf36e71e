#!/usr/bin/python3
"""A training program that knows nothing of rungs (no client, no RUNGS_ variables): it
prints a line per epoch, saves its state with --save and resumes with --resume, like an
ordinary script. Its synthetic accuracy peaks at lr = 1e-2. `--mode` makes it behave as the
tests need (tests/command/test_unchanged.py):
  ok           plain
  older        a resumed run starts one epoch before its saved state, printing that epoch again
  ignore_term  ignores SIGTERM (rungs has to KILL it)"""
import argparse
import json
import math
import os
import signal
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--epochs", type=int, default=4)
ap.add_argument("--epoch-seconds", type=float, default=0.05)
ap.add_argument("--save", default="")
ap.add_argument("--resume", default="")
ap.add_argument("--mode", default="ok")
args = ap.parse_args()

state = {"epoch": 0, "lr": args.lr}
if args.resume:
    with open(args.resume) as f:
        state = json.load(f)
    assert state["lr"] == args.lr, (state, args.lr)
start = state["epoch"] - (1 if args.mode == "older" and args.resume else 0)
print(f"starting after epoch {start} (resume: {args.resume or 'no'})", flush=True)

if args.mode == "ignore_term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
else:
    def on_term(signum, frame):
        print(f"SIGTERM after epoch {state['epoch']}", flush=True)
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, on_term)

for epoch in range(start + 1, args.epochs + 1):
    for step in range(3):
        time.sleep(args.epoch_seconds / 3)
        print(f"  step {step} of epoch {epoch}", flush=True)  # output that is not a report
    accuracy = 0.9 - 0.05 * (math.log10(args.lr) + 2) ** 2 - 0.1 / epoch
    if args.save:  # saved before the line is printed: what it reports is what it resumes from
        with open(args.save + ".tmp", "w") as f:
            json.dump({"epoch": epoch, "lr": args.lr}, f)
        os.replace(args.save + ".tmp", args.save)
    state["epoch"] = epoch
    print(f"epoch {epoch} loss {1 - accuracy:.6f} Validation Accuracy: {accuracy:.6f}", flush=True)
print("done", flush=True)
