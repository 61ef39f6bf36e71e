#!/usr/bin/python3
"""A 2-process torch.distributed (gloo, CPU) program for the multi-rank tests: a linear
model under DistributedDataParallel fit to synthetic data, each rank on its own shard.
Every epoch each rank appends a line to ranks.jsonl in its trial folder: its RANK, the
MASTER_PORT it ran with, the all_reduce'd sum of every rank's (rank + 1) and a checksum of
its parameters (equal on every rank once DDP has synchronised them), and when its run
started. Options let a test make one rank slow, or squat MASTER_PORT before
init_process_group (as another job would between rungs' check and the program's bind)."""
import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import time

import torch
import torch.distributed as dist
from torch import nn

import rungs_trial

STARTED = time.time()


def squat(port, seconds):
    """Another process takes `port` (in a session of its own, so it outlives this one)."""
    code = ("import socket,sys,time; s=socket.socket(); s.bind(('', %d)); s.listen(); "
            "print('bound', flush=True); time.sleep(%f)" % (port, seconds))
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                         start_new_session=True)
    assert p.stdout.readline().strip() == "bound"
    return p.pid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--epoch-seconds", type=float, default=0.0)
    ap.add_argument("--squat-trial", type=int, default=-1,
                    help="on rank 0 of this trial's first run, take MASTER_PORT first")
    args = ap.parse_args()
    trial = rungs_trial.init(defaults={"lr": args.lr}, epochs=3)
    port = int(os.environ["MASTER_PORT"])
    attempt_1 = trial.trial_id == args.squat_trial and trial.start_epoch == 0 and \
        not os.path.exists(os.path.join(trial.trial_dir, "squatted"))
    if attempt_1 and trial.rank == 0:
        pid = squat(port, 60)
        with open(os.path.join(trial.trial_dir, "squatted"), "w") as f:
            f.write(f"{pid} {port}\n")
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=60))
    rank, size = dist.get_rank(), dist.get_world_size()
    assert (rank, size) == (trial.rank, trial.world_size), (rank, size, trial.rank, trial.world_size)

    torch.manual_seed(trial.seed)  # the same data and initial model on every rank
    x = torch.randn(512, 8)
    y = x @ torch.arange(1.0, 9.0) + 0.1 * torch.randn(512)
    model = nn.Linear(8, 1)
    if trial.resume_from:
        model.load_state_dict(torch.load(os.path.join(trial.resume_from, "state.pt")))
    ddp = nn.parallel.DistributedDataParallel(model)
    opt = torch.optim.SGD(ddp.parameters(), lr=float(trial.params["lr"]))
    shard = slice(rank * 512 // size, (rank + 1) * 512 // size)
    log = open(os.path.join(trial.trial_dir, "ranks.jsonl"), "a")
    for epoch in range(trial.start_epoch + 1, trial.end_epoch + 1):
        for i in range(0, 256 // size, 32):
            xb, yb = x[shard][i:i + 32], y[shard][i:i + 32]
            opt.zero_grad()
            nn.functional.mse_loss(ddp(xb).squeeze(1), yb).backward()
            opt.step()
        for _ in range(int(args.epoch_seconds * 10)):  # a slow epoch, left when asked
            if trial.should_stop():
                break
            time.sleep(0.1)
        # Rank-consistent interrupts: stop when any rank was asked to.
        stop = torch.tensor([1.0 if trial.should_stop() else 0.0])
        dist.all_reduce(stop, op=dist.ReduceOp.MAX)
        if stop.item() > 0:
            sys.exit(75)
        total = torch.tensor([float(rank + 1)])
        dist.all_reduce(total)
        with torch.no_grad():
            loss = nn.functional.mse_loss(model(x).squeeze(1), y).item()
        checksum = float(sum(p.double().sum() for p in model.parameters()))
        log.write(json.dumps({"rank": rank, "epoch": epoch, "port": port, "pid": os.getpid(),
                              "started": STARTED, "now": time.time(), "sum": total.item(),
                              "checksum": checksum, "loss": loss,
                              "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES")}) + "\n")
        log.flush()
        with trial.checkpoint(epoch) as folder:
            torch.save(model.state_dict(), os.path.join(folder, "state.pt"))
        val_loss = loss if loss == loss else float("nan")
        if trial.report(epoch, val_loss=val_loss, ranks_agree=float(total.item() == size * (size + 1) / 2)) != "continue":
            break
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
