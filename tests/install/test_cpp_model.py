#!/usr/bin/python3
"""A model of one's own in C++ (docs/cpp-models.md), built against an installed rungs:
  - `cmake --install BUILD --prefix P`, then examples/cpp_model configured with
    CMAKE_PREFIX_PATH=P (find_package(rungs CONFIG)) and built: its executable links
    rungs::rungs, the libraries from P;
  - rungs-tinynet validates a study of the built-in mlp;
  - `rungs-tinynet validate` of a study naming a hyperparameter tinynet does not declare
    (`depht`) or a value out of its declared range is one line naming the file, field and
    value, exit 2, and writes nothing; so is `run` of the misspelt one under mpirun;
  - a small Fashion-MNIST study of tinynet under mpirun -n 3 with ASHA finishes: study.h5
    has every trial, tinynet's own hyperparameters (depth, kernel_size, pool) recorded per
    trial within their declared ranges, curves with accuracies, ASHA's promoted trials
    resumed from their checkpoints, the best trial's test accuracy and checkpoint;
  - the same study with two ranks training each trial (resources.ranks_per_trial 2);
  - the plain rungs does not know tinynet (exit 2, naming the known models).
Usage: test_cpp_model.py example --rungs BUILD/rungs --workdir DIR --mpiexec "MPIEXEC ARGS"
"""
import os
import re
import shlex
import shutil
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run, run_case  # noqa: E402

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

STUDY = """name: tinynet_test
seed: 3
output: {output}
objective: {{model: tinynet, metric: val_accuracy, direction: maximize, train_samples: 2000, val_samples: 500}}
search_space:
  {depth}:       {{type: int, low: 1, high: {high}}}
  kernel_size: {{type: categorical, choices: ["3", "5"]}}
  pool:        {{type: categorical, choices: [avg, max]}}
  lr:          {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
sampler: random
scheduler: {{name: asha, reduction_factor: 2, min_resource: 1, mode: promotion}}
budget: {{max_trials: 6, epochs: 2}}
resources: {{threads_per_worker: 1}}
"""


def write_study(workdir, name, depth="depth", high=2):
    output = os.path.join(workdir, name + "_out")
    path = os.path.join(workdir, name + ".yaml")
    with open(path, "w") as f:
        f.write(STUDY.format(output=output, depth=depth, high=high))
    return path, output


def strings(column):
    return [s.decode() if isinstance(s, bytes) else s for s in column[()]]


def check_rejected(exe, study, output, field, value):
    p = run([exe, "validate", study])
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2, f"exit status 2 for {field}: {p.returncode}")
    check(len(lines) == 1 and study in lines[0] and field in lines[0] and value in lines[0],
          f"one line naming {study}, {field} and {value}: {lines}")
    check(not os.path.exists(output), f"nothing written for a rejected study ({output})")


def case_example(args):
    build = os.path.dirname(os.path.realpath(args.rungs))  # rungs is at the build's top
    prefix = os.path.join(args.workdir, "prefix")
    check(run(["cmake", "--install", build, "--prefix", prefix]).returncode == 0,
          "cmake --install")

    # The example project, configured and built against the prefix alone.
    example = os.path.join(SOURCE, "examples", "cpp_model")
    model_build = os.path.join(args.workdir, "build-model")
    launcher = shutil.which("ccache")
    p = run(["cmake", "-S", example, "-B", model_build, f"-DCMAKE_PREFIX_PATH={prefix}",
             "-DCMAKE_BUILD_TYPE=Release"] +
            ([f"-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}"] if launcher else []), timeout=300)
    check(p.returncode == 0, "the example configures with find_package(rungs CONFIG)")
    cache = open(os.path.join(model_build, "CMakeCache.txt")).read()
    check(os.path.join(prefix, "lib", "cmake", "rungs") in cache,
          "find_package(rungs) found the installed package")
    p = run(["cmake", "--build", model_build, "-j2"], timeout=600)
    check(p.returncode == 0, "the example builds")
    exe = os.path.join(model_build, "rungs-tinynet")
    link = run(["cmake", "-E", "cat", os.path.join(model_build, "CMakeFiles", "rungs-tinynet.dir",
                                                  "link.txt")]).stdout
    libraries = re.findall(r"\S*librungs_\w+\.a", link)
    check(libraries and all(lib.startswith(os.path.join(prefix, "lib")) for lib in libraries),
          f"the example links rungs' libraries from the prefix: {libraries}")

    p = run([exe, "validate", os.path.join(SOURCE, "examples", "fashion_mlp.yaml")])
    check(p.returncode == 0, "rungs-tinynet knows the built-in models too")

    # Bad input: a misspelt and an out-of-range user hyperparameter.
    study, output = write_study(args.workdir, "typo", depth="depht")
    check_rejected(exe, study, output, "search_space.depht", "depth")
    p = run(shlex.split(args.mpiexec) + ["-n", "3", exe, "run", study])
    check(p.returncode == 2 and p.stderr.count("search_space.depht") == 1,
          f"rungs-tinynet run under mpirun refuses it too, in one line: {p.stderr}")
    check(not os.path.exists(output), "nothing written by the refused run")
    study, output = write_study(args.workdir, "range", high=9)
    check_rejected(exe, study, output, "search_space.depth.high", "9")
    p = run([args.rungs, "validate", study])
    check(p.returncode == 2 and "tinynet" in p.stderr and "mlp" in p.stderr,
          f"the plain rungs does not know tinynet and names the models it knows: {p.stderr}")

    # A study of tinynet under mpirun with ASHA.
    study, output = write_study(args.workdir, "run")
    p = run(shlex.split(args.mpiexec) + ["-n", "3", exe, "run", study], timeout=600)
    check(p.returncode == 0, f"rungs-tinynet run exit status {p.returncode}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        check(f.attrs["state"] in ("finished", b"finished"), "the study finished")
        t = f["trials"]
        check(list(t["id"][()]) == list(range(6)), f"every trial recorded: {t['id'][()]}")
        status = strings(t["status"])
        check(set(status) <= {"completed", "paused"} and "completed" in status,
              f"trials completed, or paused at rung 1 by ASHA: {status}")
        depth = t["params/depth"][()]
        check(np.issubdtype(depth.dtype, np.integer) and set(depth) <= {1, 2},
              f"depth recorded as an int in its range: {depth}")
        check(set(strings(t["params/kernel_size"])) <= {"3", "5"}, "kernel_size recorded")
        check(set(strings(t["params/pool"])) <= {"avg", "max"}, "pool recorded")
        acc = f["curves"]["metrics/val_accuracy"][()]
        check(len(acc) > 0 and np.all((acc > 0) & (acc <= 1)), f"accuracies: {acc}")
        check(acc.max() > 0.5, f"tinynet learns Fashion-MNIST: best accuracy {acc.max()}")
        check("test" in f and 0.1 < float(f["test"].attrs["accuracy"]) <= 1.0,
              "the best trial's test accuracy is stored")
        # Promoted trials paused at epoch 1 and went on from their checkpoint: one curve row
        # per epoch, epochs 1 and 2.
        c = f["curves"]
        for i, s in enumerate(status):
            if s == "completed":
                rows = c["trial_id"][()] == i
                check(list(c["epoch"][()][rows]) == [1, 2], f"epochs of trial {i}")
    best = run([exe, "best", os.path.join(output, "study.h5")])
    ckpt = [l.split(": ", 1)[1] for l in best.stdout.splitlines() if l.startswith("checkpoint: ")]
    check(best.returncode == 0 and len(ckpt) == 1 and os.path.exists(ckpt[0]),
          f"rungs-tinynet best names the best trial's checkpoint: {ckpt}")

    # Two ranks training each trial together (data parallel), as for the built-in models.
    study, output = write_study(args.workdir, "group")
    with open(study) as f:
        text = f.read().replace("threads_per_worker: 1", "threads_per_worker: 1, ranks_per_trial: 2")
    with open(study, "w") as f:
        f.write(text.replace("max_trials: 6", "max_trials: 2"))
    p = run(shlex.split(args.mpiexec) + ["-n", "3", exe, "run", study], timeout=600)
    check(p.returncode == 0, f"rungs-tinynet run with ranks_per_trial 2: exit status {p.returncode}")
    with h5py.File(os.path.join(output, "study.h5"), "r") as f:
        check(len(f["trials"]["id"][()]) == 2 and len(f["curves"]["trial_id"][()]) >= 2,
              "the group's trials recorded with their curves")

    installed = os.path.join(prefix, "share", "rungs", "examples", "cpp_model", "tinynet.cpp")
    check(os.path.isfile(installed), f"the example project is installed: {installed}")


if __name__ == "__main__":
    run_case({"example": case_example})
