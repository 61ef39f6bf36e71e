#!/usr/bin/env python3
"""An MLP on Fashion-MNIST in plain PyTorch, tuned by rungs through the rungs_trial client
(the same search space as the built-in examples/fashion_mlp.yaml, so the two compare).

Under rungs:   mpirun -n 3 rungs run examples/pytorch/study.yaml
Without rungs: PYTHONPATH=command/client python3 examples/pytorch/train.py --epochs 2

bench/study_vs_optuna.py tunes the same functions with Optuna.
"""
import argparse
import gzip
import os
import time

import numpy as np
import torch
from torch import nn

import rungs_trial

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def load(split, limit):
    """Images as float32 in [0, 1], flattened, and labels; the first `limit` of the split."""
    prefix = "train" if split == "train" else "t10k"
    with gzip.open(os.path.join(DATA, f"{prefix}-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, f"{prefix}-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return (torch.from_numpy(images[:limit].astype(np.float32) / 255.0),
            torch.from_numpy(labels[:limit].astype(np.int64)))


def build(p):
    layers, width = [], 784
    for _ in range(int(p["layers"])):
        layers += [nn.Linear(width, int(p["width"])), nn.ReLU(), nn.Dropout(float(p["dropout"]))]
        width = int(p["width"])
    return nn.Sequential(*layers, nn.Linear(width, 10))


def optimizer_for(model, p):
    kind, lr, decay = p["optimizer"], float(p["lr"]), float(p["weight_decay"])
    if kind == "sgd":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=float(p.get("momentum", 0.9)),
                               weight_decay=decay)
    cls = torch.optim.AdamW if kind == "adamw" else torch.optim.Adam
    return cls(model.parameters(), lr=lr, weight_decay=decay)


def data(train_samples, val_samples):
    """The first `train_samples` images of the train split, and `val_samples` validation
    images: Fashion-MNIST's train split holds them after the first 50,000."""
    x, y = load("train", 60000)
    return (x[:train_samples], y[:train_samples],
            x[50000:50000 + val_samples], y[50000:50000 + val_samples])


def set_threads():
    """As many PyTorch threads as OMP_NUM_THREADS says (rungs sets it to the worker's)."""
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))


def train_epoch(model, optimizer, x, y, batch, generator, should_stop=lambda: False):
    """One epoch over (x, y) in shuffled batches; the mean training loss, or None when
    should_stop() turned true between two batches."""
    model.train()
    loss_fn = nn.CrossEntropyLoss()
    order = torch.randperm(len(x), generator=generator)
    total = 0.0
    for start in range(0, len(order), batch):
        if should_stop():
            return None
        idx = order[start:start + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    return total / len(x)


def evaluate(model, x, y):
    """(loss, accuracy) on (x, y)."""
    model.eval()
    with torch.no_grad():
        logits = model(x)
        return (nn.functional.cross_entropy(logits, y).item(),
                (logits.argmax(1) == y).float().mean().item())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=5, help="without rungs: epochs to train")
    ap.add_argument("--train-samples", type=int, default=50000)
    ap.add_argument("--val-samples", type=int, default=10000)
    args = ap.parse_args()
    trial = rungs_trial.init(epochs=args.epochs, defaults={
        "lr": 1e-3, "optimizer": "adam", "weight_decay": 1e-5, "layers": 2, "width": 256,
        "dropout": 0.1, "batch_size": 128})
    p = trial.params
    torch.manual_seed(trial.seed)
    set_threads()
    train_x, train_y, val_x, val_y = data(args.train_samples, args.val_samples)
    model = build(p)
    optimizer = optimizer_for(model, p)
    if trial.resume_from:
        state = torch.load(os.path.join(trial.resume_from, "state.pt"))
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
    generator = torch.Generator().manual_seed(trial.seed)
    for epoch in range(trial.start_epoch + 1, trial.end_epoch + 1):
        started = time.perf_counter()
        train_loss = train_epoch(model, optimizer, train_x, train_y, int(p["batch_size"]),
                                 generator, trial.should_stop)
        if train_loss is None:
            raise SystemExit(75)  # preempted: rungs resumes from the last checkpoint
        val_loss, val_accuracy = evaluate(model, val_x, val_y)
        seconds = time.perf_counter() - started
        with trial.checkpoint(epoch) as folder:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()},
                       os.path.join(folder, "state.pt"))
        print(f"epoch {epoch}: val_accuracy {val_accuracy:.4f} val_loss {val_loss:.4f} "
              f"({seconds:.3f} s training and validating)")
        decision = trial.report(epoch, val_accuracy=val_accuracy, val_loss=val_loss,
                                train_loss=train_loss)
        if decision != "continue":
            break


if __name__ == "__main__":
    main()
