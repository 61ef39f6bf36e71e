#!/usr/bin/python3
"""The PyTorch side of bench/trainer_vs_pytorch.sh: the model, optimizer, batch size and
threads of bench/trainer_bench, trained with PyTorch's usual best-practice loop (the data
as one normalized tensor, a fresh permutation per epoch, zero_grad(set_to_none=True),
F.cross_entropy). One warm-up epoch, then timed epochs over the 50,000 training images.
Run it with /usr/bin/python3 (Debian's python3-torch)."""
import argparse
import gzip
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

PIXEL_MEAN, PIXEL_STD = 0.2860, 0.3530


def read_idx(path):
    with gzip.open(path) as f:
        data = f.read()
    ndims = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(dims)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="adam")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs after the warm-up")
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))[:50000]
    labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))[:50000]
    x = torch.from_numpy(images.copy()).float().div_(255).sub_(PIXEL_MEAN).div_(PIXEL_STD)
    x = x.view(-1, 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))

    torch.manual_seed(0)
    layers, inputs = [torch.nn.Flatten()], 28 * 28
    for _ in range(args.layers):
        layers += [torch.nn.Linear(inputs, args.width), torch.nn.ReLU()]
        inputs = args.width
    model = torch.nn.Sequential(*layers, torch.nn.Linear(inputs, 10))
    optimizers = {
        "sgd": lambda p: torch.optim.SGD(p, lr=1e-3, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=1e-3),
        "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.0),
    }
    optimizer = optimizers[args.optimizer](model.parameters())

    def epoch():
        order = torch.randperm(len(x))
        total = 0.0
        for begin in range(0, len(x), args.batch_size):
            rows = order[begin:begin + args.batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        return total / len(x)

    epoch()  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(args.epochs):
        loss = epoch()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    samples = len(x) * args.epochs
    print(f"pytorch mlp layers {args.layers} width {args.width} {args.optimizer} batch "
          f"{args.batch_size} threads {args.threads}: {samples / wall:.0f} samples/s "
          f"(cpu {samples / cpu:.0f} samples/s, {wall / args.epochs:.2f} s/epoch, loss {loss:.4f})")


if __name__ == "__main__":
    main()
