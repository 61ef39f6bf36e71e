#!/usr/bin/python3
"""The user's own data (objective.data, docs/data.md) under real mpirun.
  classify:  an HDF5 set of Gaussian blobs (3 classes, written by h5py) tuned with ASHA under
             mpirun -n 3, flat [N, 64] for mlp and image-shaped [N, 1, 8, 8] for cnn: the study
             finishes, the best val_accuracy is far above chance, normalization.h5 holds the
             training split's mean.
  regress:   an .npz regression set tuned with mlp (val_mse, minimize): the best val_mse is far
             below the variance of y.
  split:     val_fraction: two runs of the same study hold out the same rows (the same training
             mean in normalization.h5, the same validation figures), and the held-out rows are
             not in the training statistics.
  resnet:    a CIFAR-shaped HDF5 set (3x32x32 noise, the class is the band of 8 rows made
             brightest, which a horizontal flip keeps) tuned with resnet, a cosine schedule
             with warm-up, augmentation, label smoothing and gradient clipping, ASHA under
             mpirun -n 3: the best val_accuracy is far above chance (1/4).
  errors:    each bad data set, and each training option that does not fit the data, task
             or device (resnet or augmentation on features, label smoothing for regression,
             bf16 on the CPU): exit 2, one line naming the file and field or dataset and
             the problem, from `rungs validate` and `rungs run`, and no output folder.
Usage: test_data.py CASE --rungs RUNGS --mpiexec "MPIEXEC ARGS" --workdir DIR
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
name: own
seed: 5
output: {output}
objective:
  model: {model}
  data: {data}
  task: {task}
  metric: {metric}
search_space:
  lr: {{type: float, low: 3.0e-3, high: 3.0e-2, log: true}}
fixed: {fixed}
sampler: random
scheduler: {{name: asha, reduction_factor: 2}}
budget: {{max_trials: 4, epochs: 4}}
resources: {{threads_per_worker: 1, device: {device}}}
"""


def blobs(n, rng, shape):
    """n samples of 3 Gaussian blobs in 64 dimensions (the same blobs for every call), labels
    0..2, x reshaped to `shape`."""
    centers = np.random.default_rng(0).normal(0.0, 1.0, size=(3, 64)) * 0.5
    y = rng.integers(0, 3, size=n)
    x = centers[y] + rng.normal(0.0, 1.0, size=(n, 64))
    return (x * 10 + 50).astype(np.float32).reshape((n,) + shape), y.astype(np.int16)


def write_study(args, name, **fields):
    fields.setdefault("output", os.path.join(args.workdir, name))
    fields.setdefault("task", "classification")
    fields.setdefault("metric", "val_accuracy")
    fields.setdefault("fixed", "{layers: 1, width: 32, batch_size: 32}")
    fields.setdefault("device", "cpu")
    path = os.path.join(args.workdir, name + ".yaml")
    open(path, "w").write(STUDY.format(**fields))
    return path, fields["output"]


def mpirun(args, study, n=3):
    return run(shlex.split(args.mpiexec) + ["-n", str(n), args.rungs, "run", study], timeout=280)


def best_value(output, metric):
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        check(f.attrs["state"] in ("finished", b"finished"), "the study is finished")
        status = strings(f["trials/status"])
        check(len(status) == 4 and set(status) <= {"completed", "stopped"}, f"statuses {status}")
        values = f["trials/best_value"][()]
    check(np.all(np.isfinite(values)), f"every trial has a value: {values}")
    return values


def case_classify(args):
    rng = np.random.default_rng(1)
    path = os.path.join(args.workdir, "blobs.h5")
    with h5py.File(path, "w") as f:
        for split, n in (("train", 600), ("val", 300), ("test", 300)):
            x, y = blobs(n, rng, (64,))
            f[f"/{split}/flat"], f[f"/{split}/y"] = x, y
            f[f"/{split}/image"] = x.reshape(n, 1, 8, 8).astype(np.float64)
        train_mean = f["/train/flat"][()].mean(axis=0)
    for model, key, fixed in (("mlp", "flat", None), ("cnn", "image", "{channels: 4, batch_size: 32}")):
        data = (f"{{file: {path}, train: {{x: /train/{key}, y: /train/y}}, "
                f"val: {{x: /val/{key}, y: /val/y}}, test: {{x: /test/{key}, y: /test/y}}}}")
        kw = {"fixed": fixed} if fixed else {}
        study, output = write_study(args, model, model=model, data=data, **kw)
        check(mpirun(args, study).returncode == 0, f"the {model} study runs")
        values = best_value(output, "val_accuracy")
        check(values.max() > 0.8, f"{model}: the best val_accuracy is far above chance (1/3): {values}")
        with h5py.File(os.path.join(output, "normalization.h5"), "r") as f:
            mean = f["mean"][()]
        if model == "mlp":
            check(mean.shape == (64,) and np.allclose(mean, train_mean, rtol=1e-4),
                  "normalization.h5 holds the training split's mean per feature")
        else:
            check(mean.shape == (1,) and np.isclose(mean[0], train_mean.mean(), rtol=1e-4),
                  "normalization.h5 holds the training split's mean per channel")


def case_regress(args):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(800, 5))
    y = np.stack([x @ [1.0, -2.0, 0.5, 0.0, 3.0], np.sin(x[:, 0])], axis=1) * 4 + 1
    path = os.path.join(args.workdir, "reg.npz")
    np.savez_compressed(path, x_train=x[:600], y_train=y[:600], x_val=x[600:], y_val=y[600:])
    data = f"{{file: reg.npz, train: {{x: x_train, y: y_train}}, val: {{x: x_val, y: y_val}}}}"
    study, output = write_study(args, "reg", model="mlp", data=data, task="regression",
                                metric="val_mse", fixed="{layers: 2, width: 64, batch_size: 32}")
    check(mpirun(args, study).returncode == 0, "the regression study runs")
    values = best_value(output, "val_mse")
    variance = y[600:].var(axis=0).mean()
    check(values.min() < 0.2 * variance, f"the best val_mse {values.min()} is far below var(y) {variance}")


def bands(n, rng):
    """n images [3, 32, 32] of noise, one band of 8 rows (the class, 0..3) brighter."""
    y = rng.integers(0, 4, size=n)
    x = rng.normal(0.0, 1.0, size=(n, 3, 32, 32)).astype(np.float32)
    for i, c in enumerate(y):
        x[i, :, 8 * c:8 * c + 8, :] += 1.5
    return x, y.astype(np.int64)


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
    check(mpirun(args, study).returncode == 0, "the resnet study runs")
    values = best_value(output, "val_accuracy")
    check(values.max() > 0.6, f"the best val_accuracy is far above chance (0.25): {values}")


def case_split(args):
    rng = np.random.default_rng(3)
    x, y = blobs(500, rng, (64,))
    x[:, 0] = np.arange(500)  # feature 0 is the row number: its mean tells which rows trained
    np.save(os.path.join(args.workdir, "x.npy"), x)
    np.save(os.path.join(args.workdir, "y.npy"), y)
    data = "{train: {x: x.npy, y: y.npy}, val_fraction: 0.2}"
    means, curves = [], []
    for name in ("first", "second"):
        study, output = write_study(args, name, model="mlp", data=data)
        check(mpirun(args, study).returncode == 0, f"the {name} study runs")
        with h5py.File(os.path.join(output, "normalization.h5"), "r") as f:
            means.append(f["mean"][()])
        curves.append(best_value(output, "val_accuracy"))
    check(np.array_equal(means[0], means[1]), "both runs train on the same rows")
    check(np.array_equal(curves[0], curves[1]), "both runs validate on the same rows")
    check(abs(means[0][0] - 249.5) > 1e-3, f"the held-out rows are not in the training mean: {means[0][0]}")


def bad_sets(workdir):
    """(name, data YAML, expected message) for each bad data set, after writing the files."""
    h5 = os.path.join(workdir, "bad.h5")
    with h5py.File(h5, "w") as f:
        f["x"] = np.zeros((10, 4), np.float32)
        f["y"] = np.array([0, 1] * 5, np.int64)
        f["y9"] = np.zeros(9, np.int64)
        f["x1"] = np.zeros(10, np.float32)
        f["yfloat"] = np.array([0, 1.5] * 5)
        xn = np.zeros((10, 4), np.float32)
        xn[3, 2] = np.nan
        f["xnan"] = xn
        f["yval"] = np.array([0, 1, 2, 1, 0, 1, 0, 1, 0, 1], np.int64)
        f["x3"] = np.zeros((10, 3), np.float32)
        f["y2d"] = np.zeros((10, 2), np.int64)
    arrays = lambda x, y: f"{{x: {x}, y: {y}}}"  # noqa: E731
    good = arrays("x", "y")
    return [
        ("missing_file", f"{{file: {workdir}/none.h5, train: {good}, val: {good}}}",
         f"{workdir}/none.h5: no such file"),
        ("missing_dataset", f"{{file: {h5}, train: {good}, val: {arrays('x', '/val/y')}}}",
         f"{h5}: /val/y: no such dataset"),
        ("wrong_rank", f"{{file: {h5}, train: {arrays('x1', 'y')}, val: {good}}}",
         f"{h5}: x1: has shape [10]; inputs must be [N, D] features or [N, H, W] / [N, C, H, W] images"),
        ("lengths", f"{{file: {h5}, train: {arrays('x', 'y9')}, val: {good}}}",
         f"{h5}: y9: has 9 rows and x has 10; x and y must have the same length"),
        ("not_integers", f"{{file: {h5}, train: {arrays('x', 'yfloat')}, val: {good}}}",
         f"{h5}: yfloat: holds 1.500000 at row 1; class labels must be integers >= 0"),
        ("out_of_range", f"{{file: {h5}, train: {good}, val: {arrays('x', 'yval')}}}",
         f"{h5}: yval: holds label 2 at row 2, outside the training labels' classes 0..1"),
        ("nan", f"{{file: {h5}, train: {arrays('xnan', 'y')}, val: {good}}}",
         f"{h5}: xnan: holds NaN at value 14 (inputs must be finite)"),
        ("val_shape", f"{{file: {h5}, train: {good}, val: {arrays('x3', 'y')}}}",
         f"{h5}: x3: has samples of shape [3], x has [4]"),
        ("labels_2d", f"{{file: {h5}, train: {arrays('x', 'y2d')}, val: {good}}}",
         f"{h5}: y2d: has shape [10, 2]; targets must be [N] class labels"),
        ("cnn_features", f"{{file: {h5}, train: {good}, val: {good}}}",
         f"{h5}: x: has samples of shape [4]; model cnn needs images [N, C, H, W] or [N, H, W] of "
         "at least 4x4 pixels (mlp takes any shape)"),
    ]


def option_errors(workdir):
    """(name, study fields, expected message) for each training option that does not fit."""
    h5 = os.path.join(workdir, "small.h5")
    with h5py.File(h5, "w") as f:
        f["feat"] = np.random.default_rng(0).normal(size=(20, 6)).astype(np.float32)
        f["img"] = np.zeros((20, 3, 8, 8), np.float32)
        f["y"] = np.arange(20) % 2
        f["t"] = np.linspace(0.0, 1.0, 20)
    feat = f"{{file: {h5}, train: {{x: feat, y: y}}, val_fraction: 0.25}}"
    img = f"{{file: {h5}, train: {{x: img, y: y}}, val_fraction: 0.25}}"
    reg = f"{{file: {h5}, train: {{x: feat, y: t}}, val_fraction: 0.25}}"
    cpu_only = "needs a CUDA device; this study trains on the CPU (use fp32)"
    return [
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
         "{study}: fixed.precision: bf16 " + cpu_only),
        ("bf16_auto", dict(model="cnn", data=img, fixed="{precision: bf16}", device="auto"),
         "{study}: fixed.precision: bf16 " + cpu_only),
        ("bad_schedule", dict(model="resnet", data=img, fixed="{lr_schedule: linear}"),
         "{study}: fixed.lr_schedule: linear is not a known lr_schedule (known: constant, "
         "cosine, step)"),
    ]


def case_errors(args):
    cases = bad_sets(args.workdir) + [
        ("fraction", "{file: x.h5, train: {x: x, y: y}, val_fraction: 1.0}",
         "{study}: objective.data.val_fraction: 1.0 must be between 0 and 1 (exclusive)"),
        ("both", "{file: x.h5, train: {x: x, y: y}, val: {x: x, y: y}, val_fraction: 0.1}",
         "{study}: objective.data.val_fraction: 0.1 is given with objective.data.val; give one of them"),
    ]
    cases = [(name, {"data": data, **({"model": "cnn", "fixed": "{channels: 4}"}
                                       if name.startswith("cnn") else {"model": "mlp"})}, expected)
             for name, data, expected in cases] + option_errors(args.workdir)
    for name, fields, expected in cases:
        if name == "bf16_auto" and shutil.which("nvidia-smi"):
            print(f"{name}: skipped: device auto may find a GPU on this machine")
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
    run_case({"classify": case_classify, "regress": case_regress, "split": case_split,
              "resnet": case_resnet, "errors": case_errors})
