#!/usr/bin/python3
"""The PyTorch side of bench/trainer_vs_pytorch.sh: the model (the MLP, or rungs' resnet:
trainer/resnet.h), optimizer, batch size and threads of bench/trainer_bench, trained with
PyTorch's usual best-practice loop (the data as one normalized tensor, a fresh permutation
per epoch, zero_grad(set_to_none=True), F.cross_entropy). --options turns on what
trainer_bench's --options does: a cosine schedule with half an epoch of warm-up, label
smoothing 0.1, gradient clipping at norm 1, random crops after padding by 2 and flips. One
warm-up epoch, then timed epochs over the first --train-samples training images.
Run it with /usr/bin/python3 (Debian's python3-torch)."""
import argparse
import gzip
import math
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


class BasicBlock(torch.nn.Module):
    """trainer/resnet.cpp's block: two 3x3 convs with batch norm, a 1x1 projection where the
    shape changes."""

    def __init__(self, inputs, outputs, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(outputs)
        self.conv2 = torch.nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(outputs)
        self.shortcut = None
        if stride != 1 or inputs != outputs:
            self.shortcut = torch.nn.Sequential(
                torch.nn.Conv2d(inputs, outputs, 1, stride, bias=False), torch.nn.BatchNorm2d(outputs))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


def resnet(channels, width, stages, blocks, classes=10):
    layers = [torch.nn.Conv2d(channels, width, 3, 1, 1, bias=False), torch.nn.BatchNorm2d(width),
              torch.nn.ReLU()]
    inputs = width
    for stage in range(stages):
        for block in range(blocks):
            layers.append(BasicBlock(inputs, width << stage, 2 if stage > 0 and block == 0 else 1))
            inputs = width << stage
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(inputs, classes)]
    return torch.nn.Sequential(*layers)


def augment(images, pad=2):
    """A random crop of the zero-padded images and a random horizontal flip, per image."""
    n, _, h, w = images.shape
    padded = F.pad(images, (pad, pad, pad, pad))
    offsets = torch.randint(0, 2 * pad + 1, (2, n)).tolist()
    out = torch.empty_like(images)
    for i in range(n):
        out[i] = padded[i, :, offsets[1][i]:offsets[1][i] + h, offsets[0][i]:offsets[0][i] + w]
    flip = torch.randint(0, 2, (n,)).bool()
    out[flip] = out[flip].flip(3)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="adam")
    parser.add_argument("--model", choices=["mlp", "resnet"], default="mlp")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--width", type=int, help="mlp: units (256); resnet: channels (16)")
    parser.add_argument("--stages", type=int, default=3)
    parser.add_argument("--blocks", type=int, default=1)
    parser.add_argument("--options", action="store_true", help="the training options on")
    parser.add_argument("--train-samples", type=int, default=50000)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs after the warm-up")
    parser.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    args = parser.parse_args()
    if args.width is None:
        args.width = 256 if args.model == "mlp" else 16

    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"))[:args.train_samples]
    labels = read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"))[:args.train_samples]
    x = torch.from_numpy(images.copy()).float().div_(255).sub_(PIXEL_MEAN).div_(PIXEL_STD)
    x = x.view(-1, 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))

    torch.manual_seed(0)
    if args.model == "resnet":
        model = resnet(1, args.width, args.stages, args.blocks)
    else:
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

    steps = math.ceil(len(x) / args.batch_size)
    max_epochs = args.epochs + 1

    def epoch(e):
        order = torch.randperm(len(x))
        total = 0.0
        for step, begin in enumerate(range(0, len(x), args.batch_size)):
            rows = order[begin:begin + args.batch_size]
            images = x[rows]
            optimizer.zero_grad(set_to_none=True)
            if args.options:
                images = augment(images)
                t = e + (step + 1) / steps  # trainer/training_options.h's lr_factor
                factor = 0.5 * (1 + math.cos(math.pi * min(max((t - 0.5) / (max_epochs - 0.5), 0), 1)))
                for group in optimizer.param_groups:
                    group["lr"] = 1e-3 * factor * (min(1.0, t / 0.5))
                loss = F.cross_entropy(model(images), y[rows], label_smoothing=0.1)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            else:
                loss = F.cross_entropy(model(images), y[rows])
                loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        return total / len(x)

    model.train()
    epoch(0)  # warm-up
    wall, cpu = time.perf_counter(), time.process_time()
    for e in range(1, args.epochs + 1):
        loss = epoch(e)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    samples = len(x) * args.epochs
    shape = f"layers {args.layers}" if args.model == "mlp" else f"stages {args.stages} blocks {args.blocks}"
    print(f"pytorch {args.model} {shape} width {args.width}{' options' if args.options else ''} {args.optimizer} batch "
          f"{args.batch_size} threads {args.threads}: {samples / wall:.0f} samples/s "
          f"(cpu {samples / cpu:.0f} samples/s, {wall / args.epochs:.2f} s/epoch, loss {loss:.4f})")


if __name__ == "__main__":
    main()
