#!/usr/bin/python3
"""The built-in resnet and the training options (docs/data.md, "Models and training options")
under real mpirun.
  resnet:  a CIFAR-shaped HDF5 set written by h5py (3x32x32 noise, the class is the band of 8
           rows made brightest, so that a horizontal flip keeps it) tuned with resnet, a cosine schedule with warm-up, augmentation,
           label smoothing and gradient clipping, ASHA under mpirun -n 3: the study finishes
           and the best val_accuracy is far above chance (1/4).
  errors:  resnet on features, augmentation on features, label smoothing for regression and
           bf16 on a CPU run: exit 2, one line naming the field, from `rungs validate` and
           `rungs run`, and no output folder.
Usage: test_models.py CASE --rungs RUNGS --mpiexec "MPIEXEC ARGS" --workdir DIR
"""
import os
import shlex
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run, run_case, strings  # noqa: E402

STUDY = """\
name: models
seed: 3
output: {output}
objective:
  model: {model}
  data: {data}
  task: {task}
  metric: {metric}
search_space:
  lr: {{type: float, low: 3.0e-3, high: 2.0e-2, log: true}}
fixed: {fixed}
sampler: random
scheduler: {{name: asha, reduction_factor: 2}}
budget: {{max_trials: 4, epochs: 4}}
resources: {{threads_per_worker: 1, device: {device}}}
"""


def bands(n, rng):
    """n images [3, 32, 32] of noise, one band of 8 rows (the class, 0..3) brighter."""
    y = rng.integers(0, 4, size=n)
    x = rng.normal(0.0, 1.0, size=(n, 3, 32, 32)).astype(np.float32)
    for i, c in enumerate(y):
        x[i, :, 8 * c:8 * c + 8, :] += 1.5
    return x, y.astype(np.int64)


def write_study(args, name, **fields):
    fields.setdefault("output", os.path.join(args.workdir, name))
    fields.setdefault("task", "classification")
    fields.setdefault("metric", "val_accuracy")
    fields.setdefault("device", "cpu")
    path = os.path.join(args.workdir, name + ".yaml")
    open(path, "w").write(STUDY.format(**fields))
    return path, fields["output"]


def case_resnet(args):
    rng = np.random.default_rng(4)
    path = os.path.join(args.workdir, "bands.h5")
    with h5py.File(path, "w") as f:
        for split, n in (("train", 512), ("val", 256)):
            f[f"/{split}/x"], f[f"/{split}/y"] = bands(n, rng)
    data = f"{{file: {path}, train: {{x: /train/x, y: /train/y}}, val: {{x: /val/x, y: /val/y}}}}"
    fixed = ("{stages: 2, width: 8, batch_size: 32, lr_schedule: cosine, warmup_epochs: 0.5, "
             "augment_crop: 2, augment_flip: true, label_smoothing: 0.05, grad_clip: 5.0}")
    study, output = write_study(args, "resnet", model="resnet", data=data, fixed=fixed)
    p = run(shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study], timeout=500)
    check(p.returncode == 0, f"the resnet study runs: {p.stderr[-2000:]}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        check(f.attrs["state"] in ("finished", b"finished"), "the study is finished")
        status = strings(f["trials/status"])
        check(len(status) == 4 and set(status) <= {"completed", "stopped"}, f"statuses {status}")
        values = f["trials/best_value"][()]
    check(np.all(np.isfinite(values)), f"every trial has a value: {values}")
    check(values.max() > 0.6, f"the best val_accuracy is far above chance (0.25): {values}")


def case_errors(args):
    h5 = os.path.join(args.workdir, "small.h5")
    with h5py.File(h5, "w") as f:
        f["feat"] = np.random.default_rng(0).normal(size=(20, 6)).astype(np.float32)
        f["img"] = np.zeros((20, 3, 8, 8), np.float32)
        f["y"] = np.arange(20) % 2
        f["t"] = np.linspace(0.0, 1.0, 20)
    feat = f"{{file: {h5}, train: {{x: feat, y: y}}, val_fraction: 0.25}}"
    img = f"{{file: {h5}, train: {{x: img, y: y}}, val_fraction: 0.25}}"
    reg = f"{{file: {h5}, train: {{x: feat, y: t}}, val_fraction: 0.25}}"
    cases = [
        ("resnet_features", dict(model="resnet", data=feat, fixed="{width: 4}"),
         "{study}: objective.model: resnet needs images [N, C, H, W] or [N, H, W] of at least "
         "8x8 pixels; the data has samples of shape [6]"),
        ("augment_features", dict(model="mlp", data=feat, fixed="{augment_crop: 2}"),
         "{study}: fixed.augment_crop: 2 applies to images only; the data has samples of shape [6]"),
        ("smoothing_regression", dict(model="mlp", data=reg, task="regression", metric="val_mse",
                                      fixed="{label_smoothing: 0.1}"),
         "{study}: fixed.label_smoothing: 0.1 applies to classification only (objective.task is "
         "regression)"),
        ("bf16_cpu", dict(model="cnn", data=img, fixed="{precision: bf16}"),
         "{study}: fixed.precision: bf16 needs a CUDA device; this study trains on the CPU (use "
         "fp32)"),
        ("bf16_auto", dict(model="cnn", data=img, fixed="{precision: bf16}", device="auto"),
         "{study}: fixed.precision: bf16 needs a CUDA device; this study trains on the CPU (use "
         "fp32)"),
        ("bad_schedule", dict(model="resnet", data=img, fixed="{lr_schedule: linear}"),
         "{study}: fixed.lr_schedule: linear is not a known lr_schedule (known: constant, "
         "cosine, step)"),
    ]
    for name, fields, expected in cases:
        if name == "bf16_auto" and shutil.which("nvidia-smi"):
            print(f"{name}: skipped: this machine may have a GPU for device auto")
            continue
        study, output = write_study(args, name, **fields)
        expected = expected.replace("{study}", study)
        for cmd in ([args.rungs, "validate", study],
                    shlex.split(args.mpiexec) + ["-n", "3", args.rungs, "run", study]):
            p = run(cmd, timeout=60)
            check(p.returncode == 2, f"{name}: exit status 2, got {p.returncode}")
            ours = [l for l in p.stderr.splitlines() if l.startswith("rungs:")]
            check(ours == ["rungs: " + expected], f"{name}: one line {expected!r}: {ours}")
            check(not os.path.exists(output), f"{name}: no output folder")


if __name__ == "__main__":
    run_case({"resnet": case_resnet, "errors": case_errors})
