#!/usr/bin/env python3
"""An MLP on Fashion-MNIST trained with DistributedDataParallel, one process per rank,
tuned by rungs with resources.ranks_per_trial: 2 (examples/ddp/study.yaml). rungs starts
each trial's processes with RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set, so
init_process_group() needs no arguments; on GPUs each process sees one (cuda:0) and talks
NCCL, on CPUs gloo.

Under rungs:   mpirun -n 5 rungs run examples/ddp/study.yaml   (2 trials of 2 ranks at once)
Without rungs: PYTHONPATH=command/client python3 examples/ddp/train.py --epochs 1
               (one process; or several under torchrun)
"""
import argparse
import gzip
import os

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

import rungs_trial

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def load(limit, offset=0):
    """Train-split images as float32 in [0, 1], flattened, and labels: `limit` from `offset`."""
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    part = slice(offset, offset + limit)
    return (torch.from_numpy(images[part].astype(np.float32) / 255.0),
            torch.from_numpy(labels[part].astype(np.int64)))


def build(p):
    layers, width = [], 784
    for _ in range(int(p["layers"])):
        layers += [nn.Linear(width, int(p["width"])), nn.ReLU()]
        width = int(p["width"])
    return nn.Sequential(*layers, nn.Linear(width, 10))


def any_rank(flag, device):
    """True on every rank when `flag` is true on one: all ranks leave the loop together."""
    if not dist.is_initialized():
        return flag
    t = torch.tensor([1.0 if flag else 0.0], device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return t.item() > 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=3, help="without rungs: epochs to train")
    ap.add_argument("--train-samples", type=int, default=20000)
    ap.add_argument("--val-samples", type=int, default=5000)
    args = ap.parse_args()
    trial = rungs_trial.init(epochs=args.epochs, defaults={
        "lr": 1e-3, "layers": 2, "width": 256, "batch_size": 128})
    p = trial.params
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    cuda = torch.cuda.is_available()
    device = torch.device("cuda:0" if cuda else "cpu")  # rungs shows each rank its one GPU
    if trial.world_size > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    rank, size = trial.rank, trial.world_size

    torch.manual_seed(trial.seed)  # the same initial weights on every rank
    model = build(p).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=float(p["lr"]))
    if trial.resume_from:  # rank 0 wrote it; every rank loads it
        state = torch.load(os.path.join(trial.resume_from, "state.pt"), map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
    ddp = nn.parallel.DistributedDataParallel(model) if dist.is_initialized() else model

    # Each rank trains on its own shard of the training images and measures its shard of
    # the validation images; the sums are all-reduced, so every rank reports the same.
    train_x, train_y = load(args.train_samples // size, rank * (args.train_samples // size))
    val_x, val_y = load(args.val_samples // size, 50000 + rank * (args.val_samples // size))
    train_x, train_y, val_x, val_y = (t.to(device) for t in (train_x, train_y, val_x, val_y))
    batch = int(p["batch_size"])
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    generator = torch.Generator().manual_seed(trial.seed + rank)
    for epoch in range(trial.start_epoch + 1, trial.end_epoch + 1):
        ddp.train()
        order = torch.randperm(len(train_x), generator=generator).to(device)
        for i, start in enumerate(range(0, len(order), batch)):
            # Every rank must leave at the same batch, or the others wait in all_reduce.
            if i % 10 == 0 and any_rank(trial.should_stop(), device):
                raise SystemExit(75)  # preempted: rungs resumes from the last checkpoint
            idx = order[start:start + batch]
            optimizer.zero_grad()
            (loss_fn(ddp(train_x[idx]), train_y[idx]) / len(idx)).backward()
            optimizer.step()
        ddp.eval()
        with torch.no_grad():
            logits = model(val_x)
            sums = torch.tensor([loss_fn(logits, val_y).item(),
                                 (logits.argmax(1) == val_y).sum().item(), len(val_y)],
                                device=device, dtype=torch.float64)
        if dist.is_initialized():
            dist.all_reduce(sums)
        val_loss, val_accuracy = (sums[0] / sums[2]).item(), (sums[1] / sums[2]).item()
        with trial.checkpoint(epoch) as folder:  # rank 0's is the trial's; others: scratch
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                       os.path.join(folder, "state.pt"))
        if rank == 0:
            print(f"epoch {epoch}: val_accuracy {val_accuracy:.4f} val_loss {val_loss:.4f}")
        # Every rank reports and gets the same decision (made on rank 0's metrics).
        if trial.report(epoch, val_accuracy=val_accuracy, val_loss=val_loss) != "continue":
            break
    if dist.is_initialized():
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
