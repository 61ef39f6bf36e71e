#!/usr/bin/python3
"""warm_start under real mpirun: a study that starts from an earlier one's study.h5.
  run:    an earlier study (random search, fifo) runs; a new study with a narrower lr range,
          one parameter dropped and ASHA warm-starts from it. Its first lines say what was
          carried over (the counts checked against the old file read by h5py), it finishes
          with only its own trials in its study.h5, and the old file is byte for byte as it was.
  errors: a missing file, a file that is not a study, a study sharing no parameter: one line
          naming warm_start.from, exit 2, from `rungs validate` and `rungs run`, no output folder.
Usage: test_warm_start.py CASE --rungs RUNGS --mpiexec "MPIEXEC ARGS" --workdir DIR
"""
import hashlib
import os
import shlex
import sys

import h5py

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run, run_case  # noqa: E402

OLD = """\
name: earlier
seed: 3
output: {workdir}/earlier
objective: {{model: mlp, metric: val_accuracy, train_samples: 1000, val_samples: 300}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 3.0e-2, log: true}}
  width: {{type: int, low: 32, high: 64, step: 32}}
  dropout: {{type: float, low: 0.0, high: 0.3}}
fixed: {{layers: 1}}
sampler: random
budget: {{max_trials: 6, epochs: 2}}
resources: {{threads_per_worker: 1}}
"""

NEW = """\
name: later
seed: 4
output: {workdir}/later
objective: {{model: mlp, metric: val_accuracy, train_samples: 1000, val_samples: 300}}
search_space:
{space}
fixed: {{layers: 1}}
warm_start: {{from: {old}}}
sampler: tpe
scheduler: {{name: asha, reduction_factor: 2}}
budget: {{max_trials: 4, epochs: 2}}
resources: {{threads_per_worker: 1}}
"""
NARROWER = """\
  lr: {type: float, low: 2.0e-3, high: 3.0e-2, log: true}
  width: {type: int, low: 32, high: 64, step: 32}"""


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def mpirun(args, n, study):
    return run(shlex.split(args.mpiexec) + ["-n", str(n), args.rungs, "run", study], timeout=280)


def write(args, name, text):
    path = os.path.join(args.workdir, name)
    open(path, "w").write(text)
    return path


def case_run(args):
    old_study = write(args, "earlier.yaml", OLD.format(workdir=args.workdir))
    check(mpirun(args, 3, old_study).returncode == 0, "the earlier study runs")
    old = os.path.join(args.workdir, "earlier", "study.h5")
    with h5py.File(old, "r") as f:
        lrs = list(f["trials/params/lr"][:])
    in_bounds = sum(1 for lr in lrs if lr >= 2.0e-3)
    check(len(lrs) == 6, f"the earlier study has 6 trials: {len(lrs)}")
    check(0 < in_bounds < 6, f"the test needs trials on both sides of lr = 0.002: {lrs}")
    before, mtime = sha256(old), os.stat(old).st_mtime_ns

    new_study = write(args, "later.yaml", NEW.format(workdir=args.workdir, space=NARROWER, old=old))
    p = run([args.rungs, "validate", new_study])
    check(p.returncode == 0, f"validate: exit status {p.returncode}")
    summary = (f"warm start from {old}: 6 of 6 trials carried over; parameters kept: lr and width; "
               f"dropped: dropout; new: none; {6 - in_bounds} "
               f"{'value' if 6 - in_bounds == 1 else 'values'} outside the new bounds not used")
    check(summary in p.stdout, f"validate says what is carried over: {summary!r}")
    p = mpirun(args, 3, new_study)
    check(p.returncode == 0, f"the warm-started study: exit status {p.returncode}")
    check(summary in p.stdout, "the run says what is carried over")
    check(f"asha counts the {in_bounds} complete in this search space at its rungs" in p.stdout,
          "the run says what ASHA learns from")
    with h5py.File(os.path.join(args.workdir, "later", "study.h5"), "r") as f:
        ids = sorted(int(i) for i in f["trials/id"][:])
        check(ids == [0, 1, 2, 3], f"the new study.h5 holds its own 4 trials only: {ids}")
        check(f.attrs["state"] in ("finished", b"finished"), "the new study finished")
        lrs = list(f["trials/params/lr"][:])
        check(all(2.0e-3 <= lr <= 3.0e-2 for lr in lrs), f"its trials are in the new bounds: {lrs}")
    check(sha256(old) == before and os.stat(old).st_mtime_ns == mtime,
          "the earlier study.h5 is unchanged")


def expect_error(args, study, output, needle):
    for cmd in ([args.rungs, "validate", study],
                shlex.split(args.mpiexec) + ["-n", "2", args.rungs, "run", study]):
        p = run(cmd, timeout=120)
        check(p.returncode == 2, f"{cmd[-2]}: exit status 2, got {p.returncode}")
        # mpiexec adds its own lines about the exit status; rungs' own start with "rungs:".
        lines = [line for line in p.stderr.splitlines() if line.startswith("rungs:")]
        check(len(set(lines)) == 1, f"one error line: {p.stderr}")
        check(lines[0].startswith(f"rungs: {study}: warm_start.from: ") and needle in lines[0],
              f"the line names warm_start.from and says {needle!r}: {lines[0]}")
        check(not os.path.exists(output), f"nothing written: {output} exists")


def case_errors(args):
    output = os.path.join(args.workdir, "later")
    missing = os.path.join(args.workdir, "none", "study.h5")
    study = write(args, "missing.yaml", NEW.format(workdir=args.workdir, space=NARROWER, old=missing))
    expect_error(args, study, output, "no such file")

    junk = write(args, "junk.h5", "not a study\n")
    study = write(args, "junk.yaml", NEW.format(workdir=args.workdir, space=NARROWER, old=junk))
    expect_error(args, study, output, "not an HDF5 file")

    # A real study.h5 that shares no parameter with the new space.
    old_study = write(args, "earlier.yaml", OLD.format(workdir=args.workdir).replace(
        "max_trials: 6", "max_trials: 2"))
    check(mpirun(args, 2, old_study).returncode == 0, "the earlier study runs")
    old = os.path.join(args.workdir, "earlier", "study.h5")
    space = "  weight_decay: {type: float, low: 0.0, high: 0.01}"
    study = write(args, "disjoint.yaml", NEW.format(workdir=args.workdir, space=space, old=old))
    expect_error(args, study, output, "shares no parameter")


if __name__ == "__main__":
    run_case({"run": case_run, "errors": case_errors})
