#!/usr/bin/python3
"""Writes the small array files tests/io/test_array_file.cpp reads (run from this folder)."""
import h5py
import numpy as np

x = np.arange(6, dtype=np.float32).reshape(2, 3) / 2
y = np.array([1, 0], dtype=np.int64)
np.savez("arrays_stored.npz", x=x, y=y)
np.savez_compressed("arrays_deflated.npz", x=x, y=y)
with h5py.File("arrays.h5", "w") as f:
    f["/train/x"] = np.array([[-3, 7], [100, -128]], dtype=np.int8)
    f["/train/y"] = np.array([65535, 2], dtype=np.uint16)
    f["/train/f64"] = np.array([0.1, 1e300])
    f["/train/text"] = np.array([b"ab", b"cd"])
