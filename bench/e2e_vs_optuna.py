#!/usr/bin/python3
"""End to end on this machine: how soon a Fashion-MNIST MLP study reaches a validation
accuracy, rungs (TPE + ASHA, mpirun -n 3: a coordinator and 2 workers) against Optuna 3.1
(TPE + SuccessiveHalvingPruner) training with PyTorch in 2 worker processes that share a
JournalFileStorage, the way Optuna parallelizes on one node. Both search the same space
with the same budget (trials, epochs per trial, rungs at 1, 3, 9 epochs with eta 3), train
on the first 50,000 training images and validate on the last 10,000, one thread per
worker. Time is wall time from launch, data loading included.

Prints, for each seed and side: seconds until a trial first reached --target, the best
accuracy, epochs trained and total seconds; then the median times to target.

usage: bench/e2e_vs_optuna.py [--build DIR] [--target 0.89] [--trials 30] [--seeds 1,2,3]
Run with /usr/bin/python3 (Debian's python3-torch, python3-optuna, python3-h5py).
"""
import argparse
import gzip
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = "/usr/share/datasets/fashion-mnist"
EPOCHS = 9

SPACE = """\
search_space:
  lr:           {type: float, low: 3.0e-4, high: 3.0e-2, log: true}
  optimizer:    {type: categorical, choices: [adam, adamw, sgd]}
  momentum:     {type: float, low: 0.8, high: 0.99, when: {optimizer: [sgd]}}
  weight_decay: {type: float, low: 1.0e-6, high: 1.0e-3, log: true}
  layers:       {type: int, low: 1, high: 3}
  width:        {type: int, low: 128, high: 512, step: 128}
  dropout:      {type: float, low: 0.0, high: 0.4}
  batch_size:   {type: categorical, choices: [64, 128, 256]}
"""


def run_rungs(args, workdir):
    study = os.path.join(workdir, "rungs.yaml")
    output = os.path.join(workdir, "rungs_out")
    with open(study, "w") as f:
        f.write(f"name: e2e\nseed: {args.seed}\noutput: {output}\n"
                "objective: {model: mlp, metric: val_accuracy, direction: maximize}\n"
                + SPACE +
                "fixed: {activation: relu}\nsampler: tpe\n"
                "scheduler: {name: asha, min_resource: 1, reduction_factor: 3}\n"
                f"budget: {{max_trials: {args.trials}, epochs: {EPOCHS}}}\n"
                "resources: {threads_per_worker: 1}\n")
    mpirun = shlex.split(os.environ.get("MPIRUN", os.path.join(ROOT, "scripts/mpirun.sh")))
    launch = time.time()
    p = subprocess.run(mpirun + ["-n", "3", os.path.join(args.build, "rungs"), "run", study],
                       capture_output=True, text=True)
    total = time.time() - launch
    if p.returncode != 0:
        sys.exit(f"rungs failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    import h5py
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        start = float(f.attrs["start_time"])
        times = f["curves/time"][()] + start - launch
        accuracy = f["curves/metrics/val_accuracy"][()]
    return summary(list(zip(times.tolist(), accuracy.tolist())), args.target, total)


def summary(records, target, total):
    """records: (seconds since launch, validation accuracy) of every epoch."""
    reached = [t for t, a in records if a >= target]
    return {"to_target": min(reached) if reached else None,
            "best": max(a for _, a in records), "epochs": len(records), "total": total}


# ---------------------------------------------------------------- the Optuna + PyTorch side

def read_idx(path):
    import numpy as np
    with gzip.open(path) as f:
        data = f.read()
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * data[3]).reshape(dims)


def optuna_worker(storage_path, seed, trials, launch, log_path):
    """One of the two Optuna worker processes: optimize() its share of the trials."""
    import numpy as np
    import optuna
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    images = read_idx(os.path.join(DATA, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.copy()).float().div_(255).sub_(0.2860).div_(0.3530)
    y = torch.from_numpy(labels.astype(np.int64))
    x_train, y_train, x_val, y_val = x[:50000], y[:50000], x[50000:60000], y[50000:60000]
    log = open(log_path, "a")

    def objective(trial):
        lr = trial.suggest_float("lr", 3e-4, 3e-2, log=True)
        name = trial.suggest_categorical("optimizer", ["adam", "adamw", "sgd"])
        momentum = trial.suggest_float("momentum", 0.8, 0.99) if name == "sgd" else 0.0
        decay = trial.suggest_float("weight_decay", 1e-6, 1e-3, log=True)
        layers = trial.suggest_int("layers", 1, 3)
        width = trial.suggest_int("width", 128, 512, step=128)
        dropout = trial.suggest_float("dropout", 0.0, 0.4)
        batch = trial.suggest_categorical("batch_size", [64, 128, 256])
        modules, inputs = [torch.nn.Flatten()], 28 * 28
        for _ in range(layers):
            modules += [torch.nn.Linear(inputs, width), torch.nn.ReLU()]
            if dropout > 0:
                modules.append(torch.nn.Dropout(dropout))
            inputs = width
        model = torch.nn.Sequential(*modules, torch.nn.Linear(inputs, 10))
        if name == "sgd":
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum,
                                  weight_decay=decay)
        elif name == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)
        else:
            opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=decay)
        accuracy = 0.0
        for epoch in range(1, EPOCHS + 1):
            model.train()
            order = torch.randperm(len(x_train))
            for begin in range(0, len(order), batch):
                rows = order[begin:begin + batch]
                opt.zero_grad(set_to_none=True)
                loss = F.cross_entropy(model(x_train[rows]), y_train[rows])
                if not torch.isfinite(loss):
                    raise optuna.TrialPruned()  # diverged: as good as stopped
                loss.backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                accuracy = (model(x_val).argmax(1) == y_val).float().mean().item()
            log.write(json.dumps([time.time() - launch, accuracy]) + "\n")
            log.flush()
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        return accuracy

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.JournalStorage(optuna.storages.JournalFileStorage(storage_path))
    study = optuna.create_study(
        study_name="e2e", storage=storage, direction="maximize", load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=seed, constant_liar=True),
        pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3))
    study.optimize(objective, n_trials=trials)


def run_optuna(args, workdir):
    storage = os.path.join(workdir, "optuna.journal")
    log = os.path.join(workdir, "optuna_epochs.jsonl")
    launch = time.time()
    shares = [args.trials // 2, args.trials - args.trials // 2]
    # One thread per worker, as rungs' workers: PyTorch's and OpenBLAS's (which otherwise
    # starts one per core whatever torch.set_num_threads says).
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               PYTHONWARNINGS="ignore")
    workers = [subprocess.Popen([sys.executable, __file__, "--optuna-worker", storage,
                                 str(args.seed + 1000 * i), str(share), repr(launch), log],
                                env=env)
               for i, share in enumerate(shares)]
    if any(w.wait() != 0 for w in workers):
        sys.exit("an Optuna worker failed")
    total = time.time() - launch
    records = [tuple(json.loads(line)) for line in open(log)]
    return summary(records, args.target, total)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--optuna-worker":
        storage, seed, trials, launch, log = sys.argv[2:7]
        optuna_worker(storage, int(seed), int(trials), float(launch), log)
        return
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--target", type=float, default=0.89)
    ap.add_argument("--trials", type=int, default=30)
    ap.add_argument("--seeds", default="1,2,3", help="comma-separated; one study per seed")
    args = ap.parse_args()
    print(f"Fashion-MNIST MLP, {args.trials} trials x up to {EPOCHS} epochs, 2 workers x 1 "
          f"thread; {os.cpu_count()} cores. Seconds from launch.", flush=True)
    print(f"{'seed':>4} {'':36} {'to ' + str(args.target):>8} {'best':>7} {'epochs':>7} "
          f"{'total':>7}", flush=True)
    times = {"rungs": [], "optuna": []}
    for seed in (int(s) for s in args.seeds.split(",")):
        args.seed = seed
        with tempfile.TemporaryDirectory(prefix="rungs_e2e_") as workdir:
            results = {"rungs": run_rungs(args, workdir), "optuna": run_optuna(args, workdir)}
        for key, name in (("rungs", "rungs (TPE + ASHA)"),
                          ("optuna", "Optuna + PyTorch (TPE + SHA pruner)")):
            r = results[key]
            times[key].append(r["to_target"])
            reached = f"{r['to_target']:.1f}" if r["to_target"] is not None else "never"
            print(f"{seed:4} {name:36} {reached:>8} {r['best']:7.4f} {r['epochs']:7d} "
                  f"{r['total']:7.1f}", flush=True)
    # A side that never reached the target counts with its whole run's time (a lower bound).
    for key in times:
        print(f"{key}: reached {args.target} in {sum(t is not None for t in times[key])} of "
              f"{len(times[key])} studies")
    a = [t for t in times["rungs"] if t is not None]
    b = [t for t in times["optuna"] if t is not None]
    if a and b:
        ma, mb = sorted(a)[len(a) // 2], sorted(b)[len(b) // 2]
        print(f"median time to {args.target} where reached: rungs {ma:.1f} s, Optuna {mb:.1f} s "
              f"(rungs takes {ma / mb:.2f} of Optuna's time)")


if __name__ == "__main__":
    main()
