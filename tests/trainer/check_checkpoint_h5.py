#!/usr/bin/python3
"""A checkpoint written by the trainer reads in h5py as documented: the tensors of an MLP
under /model and /optimizer with their LibTorch names and shapes, the attributes, and a
CRC-32 that a user can recompute. Usage: check_checkpoint_h5.py FILE"""
import sys
import zlib

import h5py
import numpy as np

path = sys.argv[1]
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


# Flatten(0), Linear(1), ReLU(2), Linear(3), ReLU(4), Linear(5): 784 -> 64 -> 64 -> 10.
shapes = {"1.weight": (64, 784), "1.bias": (64,), "3.weight": (64, 64), "3.bias": (64,),
          "5.weight": (10, 64), "5.bias": (10,)}
with h5py.File(path, "r") as f:
    check(f.attrs["format"] == "rungs-checkpoint", f"format is {f.attrs['format']!r}")
    check(f.attrs["format_version"] == 1, "format_version is 1")
    check(f.attrs["epoch"] == 1, f"epoch is {f.attrs['epoch']}")
    check(f.attrs["trial_id"] == 5, f"trial_id is {f.attrs['trial_id']}")
    check(int(f.attrs["seed"]) == 42, f"seed is {f.attrs['seed']}")
    check(sorted(f["model"].keys()) == sorted(shapes), f"model holds {sorted(f['model'].keys())}")
    check(sorted(f["optimizer"].keys()) == ["exp_avg", "exp_avg_sq"],
          f"optimizer holds {sorted(f['optimizer'].keys())}")
    check(f["optimizer"].attrs["kind"] == "adam", "the optimizer is adam")
    # 512 images in batches of 128: 4 steps.
    check(f["optimizer"].attrs["step"] == 4, f"step is {f['optimizer'].attrs['step']}")
    for name, shape in shapes.items():
        for where in ["model", "optimizer/exp_avg", "optimizer/exp_avg_sq"]:
            data = f[f"{where}/{name}"]
            check(data.shape == shape, f"{where}/{name} has shape {data.shape}, not {shape}")
            check(data.dtype == np.float32, f"{where}/{name} is {data.dtype}")
    check(np.all(f["optimizer/exp_avg_sq/1.weight"][()] >= 0), "second moments are >= 0")

    # The documented checksum: arrays in path order; path, NUL, rank and dims as int64 LE,
    # float32 LE values; then the optimizer step as int64 LE.
    arrays = {}
    f.visititems(lambda name, obj: arrays.__setitem__(name, obj[()])
                 if isinstance(obj, h5py.Dataset) else None)
    crc = 0
    for name in sorted(arrays):
        values = np.asarray(arrays[name], dtype="<f4")
        crc = zlib.crc32(name.encode() + b"\0", crc)
        crc = zlib.crc32(np.array([values.ndim, *values.shape], dtype="<i8").tobytes(), crc)
        crc = zlib.crc32(values.tobytes(), crc)
    crc = zlib.crc32(np.array([f["optimizer"].attrs["step"]], dtype="<i8").tobytes(), crc)
    check(crc == int(f.attrs["checksum"]), f"checksum {f.attrs['checksum']} != recomputed {crc}")

if failures:
    print("FAILED:", *failures, sep="\n  ")
    sys.exit(1)
print("ok", path)
