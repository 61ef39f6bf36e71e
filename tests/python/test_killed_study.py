#!/usr/bin/python3
"""A real study killed with results in its journal that study.h5 does not hold yet
(RUNGS_FAULT=snapshot.before_rename:4 SIGKILLs rank 0 just before its fourth snapshot (0.2 s apart) would
replace study.h5, while trials still run): rungs.load() must see every committed epoch, more than h5py reading
study.h5 alone, without changing a byte of the study; the same epochs the resumed study
finally records; and a torn or zeroed tail added to the real journal changes nothing.

Usage: test_killed_study.py killed --rungs BUILD/rungs --mpiexec "mpirun ..." --workdir DIR
"""
import hashlib
import os
import shutil

import h5py

from readerlib import check, check_against_h5py, check_installed, parse_args, run_study

import rungs

STUDY = """\
name: killed
seed: 11
output: {output}
objective: {{model: mlp, metric: val_accuracy, train_samples: 2000, val_samples: 500}}
search_space:
  lr: {{type: float, low: 1.0e-3, high: 1.0e-2, log: true}}
  width: {{type: int, low: 32, high: 64, step: 32}}
fixed: {{layers: 1}}
checkpoints: {{study_seconds: 0.2}}
budget: {{max_trials: 12, epochs: 3}}
resources: {{threads_per_worker: 1}}
preemption: {{max_attempts: 3}}
"""


def epochs_in_h5(path):
    with h5py.File(path, "r") as f:
        c = f["curves"]
        return dict(zip(zip(c["trial_id"][()].tolist(), c["epoch"][()].tolist()), c["value"][()].tolist()))


def epochs_of(study):
    return {(t.id, e.epoch): e for t in study.trials for e in t.curve}


def digest(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        p = os.path.join(folder, name)
        if os.path.isfile(p):
            out[name] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


def case_killed(args):
    output = os.path.join(args.workdir, "out")
    shutil.rmtree(output, ignore_errors=True)
    study_yaml = os.path.join(args.workdir, "study.yaml")
    with open(study_yaml, "w") as f:
        f.write(STUDY.format(output=output))
    path = os.path.join(output, "study.h5")
    code = run_study(args, study_yaml, env={"RUNGS_FAULT": "snapshot.before_rename:4"})
    check(code != 0, f"the fault killed the run (exit status {code})")
    check(os.path.getsize(path + ".journal") > 8, "the journal holds records")

    before = digest(output)
    killed = rungs.load(output)
    check(digest(output) == before, "loading changes no file of the study")
    snapshot = rungs.load(path, use_journal=False)
    check_against_h5py(snapshot, path)
    in_h5 = epochs_in_h5(path)
    seen = epochs_of(killed)
    print(f"killed: study.h5 has {len(in_h5)} epochs; with the journal's {killed.journal_records} "
          f"records, {len(seen)}", flush=True)
    check(killed.journal_records > 0 and killed.journal_ignored_bytes == 0, "a journal of whole records")
    check(len(seen) > len(in_h5), f"the journal adds epochs: {len(seen)} vs {len(in_h5)} in study.h5")
    check(all(seen[k].value == v for k, v in in_h5.items()), "study.h5's epochs are kept as they are")
    check(len(killed.trials) >= len(snapshot.trials), "no trial lost")
    df = killed.trials_dataframe()
    check(df.epochs.sum() == len(seen) == len(killed.curves_dataframe()), "the DataFrames see them too")

    # A torn frame, then zeros, added to a copy of the real journal: ignored.
    copy = os.path.join(args.workdir, "torn")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(output, copy, ignore=shutil.ignore_patterns("checkpoints"))
    journal = open(os.path.join(copy, "study.h5.journal"), "rb").read()
    last_frame = rungs.journal.frame(rungs.read_frames(journal).records[-1])
    check(journal.endswith(last_frame), "the reader frames a record as rungs does, byte for byte")
    with open(os.path.join(copy, "study.h5.journal"), "ab") as f:
        f.write(last_frame[:len(last_frame) // 2] + b"\0" * 512)  # missing bytes not all zero
    torn = rungs.load(copy)
    check(torn.journal_records == killed.journal_records and
          torn.journal_ignored_bytes == len(last_frame) // 2 + 512,
          f"the torn tail is ignored ({torn.journal_ignored_bytes} bytes)")
    check(torn.trials == killed.trials, "the same trials")

    # Resumed, the study ends with the very epochs the reader saw.
    check(run_study(args, study_yaml) == 0, "the resumed run finishes")
    final = rungs.load(output)
    check(final.state == "finished" and final.journal_records == 0, f"finished: {final}")
    check_against_h5py(final, path)
    after = epochs_of(final)
    missing = [k for k in seen if k not in after]
    check(not missing, f"every epoch the reader saw is in the final study: missing {missing}")
    changed = [k for k in seen if after[k].value != seen[k].value]
    check(not changed, f"with the same values: {[(k, seen[k].value, after[k].value) for k in changed]}")
    ended = {t.id: t for t in killed.trials if t.status in ("completed", "stopped", "failed")}
    for t in final.trials:
        if t.id in ended:
            check(t == ended[t.id], f"trial {t.id}, finished before the kill, is recorded as the reader saw it")
    print(f"ok: {len(seen)} epochs seen after the kill (study.h5 alone: {len(in_h5)}), all in the "
          f"resumed study's {len(after)}; {len(ended)} finished trials identical", flush=True)


CASES = {"killed": case_killed}

if __name__ == "__main__":
    args = parse_args(CASES)
    check_installed()
    CASES[args.case](args)
