#!/usr/bin/python3
"""Installs the Python reader as a user would, `pip install ./python`, into a fresh venv
that sees Debian's h5py, numpy, pandas and optuna (--system-site-packages), offline
(--no-index, --no-build-isolation: setuptools from the system). The source is copied first,
so that setuptools' build folder lands in the build tree, not the repository.

Usage: install_venv.py --python /usr/bin/python3 --source REPO/python --venv DIR --workdir DIR
"""
import argparse
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from testlib import check, run  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--python", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--venv", required=True)
    p.add_argument("--workdir", required=True)
    args = p.parse_args()
    shutil.rmtree(args.venv, ignore_errors=True)
    shutil.rmtree(args.workdir, ignore_errors=True)
    repo = os.path.join(args.workdir, "repo")
    shutil.copytree(args.source, os.path.join(repo, "python"),
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    check(run([args.python, "-m", "venv", "--system-site-packages", args.venv]).returncode == 0,
          "python -m venv --system-site-packages")
    python = os.path.join(args.venv, "bin", "python")
    pip = [python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
           "--disable-pip-version-check", "./python"]
    check(run(pip, cwd=repo).returncode == 0, "pip install ./python")
    code = ("import rungs, h5py, numpy, pandas; print(rungs.__version__, rungs.__file__); "
            "assert rungs.__file__.startswith(__import__('sys').prefix)")
    check(run([python, "-c", code], cwd=args.workdir).returncode == 0,
          "the venv imports the installed package")
    p = run([python, "-m", "pip", "show", "rungs"])
    check(p.returncode == 0 and "Requires: h5py, numpy, pandas" in p.stdout,
          "installed with no requirement beyond h5py, numpy and pandas")
    print("ok: installed into", args.venv, flush=True)


if __name__ == "__main__":
    main()
