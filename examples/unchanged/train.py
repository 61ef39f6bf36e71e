#!/usr/bin/env python3
"""An MLP on Fashion-MNIST in plain PyTorch that knows nothing of rungs: hyperparameters
on the command line, one line printed per epoch, its state saved with --save and loaded
with --resume. rungs tunes it by reading those lines (study.yaml: objective.report.regex).

Under rungs:   scripts/mpirun.sh -n 3 build/rungs run examples/unchanged/study.yaml
Without rungs: python3 examples/unchanged/train.py --epochs 2 --train-samples 2000
"""
import argparse
import gzip
import os

import numpy as np
import torch
from torch import nn

DATA = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def load(limit, offset=0):
    """Training-split images as float32 in [0, 1], flattened, and labels: `limit` from `offset`."""
    with gzip.open(os.path.join(DATA, "train-images-idx3-ubyte.gz")) as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(os.path.join(DATA, "train-labels-idx1-ubyte.gz")) as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    images, labels = images[offset:offset + limit], labels[offset:offset + limit]
    return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--train-samples", type=int, default=50000)
    ap.add_argument("--val-samples", type=int, default=10000)
    ap.add_argument("--save", default="", help="save the model and optimizer here after each epoch")
    ap.add_argument("--resume", default="", help="go on from a file --save wrote")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    train_x, train_y = load(args.train_samples)
    val_x, val_y = load(args.val_samples, offset=50000)  # the 10,000 after the first 50,000
    model = nn.Sequential(nn.Linear(784, args.width), nn.ReLU(), nn.Dropout(args.dropout),
                          nn.Linear(args.width, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    done = 0
    if args.resume and os.path.exists(args.resume):
        state = torch.load(args.resume)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        done = state["epoch"]
        print(f"resumed from {args.resume} after epoch {done}")
    loss_fn = nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed + done)
    for epoch in range(done + 1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(train_x), generator=generator)
        total = 0.0
        for start in range(0, len(order), args.batch_size):
            idx = order[start:start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(train_x[idx]), train_y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        model.eval()
        with torch.no_grad():
            logits = model(val_x)
            accuracy = (logits.argmax(1) == val_y).float().mean().item()
        if args.save:  # written whole, then renamed: a kill never leaves half a file
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                        "epoch": epoch}, args.save + ".tmp")
            os.replace(args.save + ".tmp", args.save)
        print(f"epoch {epoch}: train loss {total / len(train_x):.4f}, Accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
