#!/usr/bin/python3
"""The reader's journal framing and replay on bytes built here, independently of the
package (struct and zlib, after io/journal.cpp and io/study_journal.cpp): torn tails,
zeros, damage, the first format, and replay's rules; then load() of a real study.h5 with a
journal written here.

Usage: test_journal.py CASE --workdir DIR [--sample-writer BUILD/.../rungs_io_write_sample_study]
"""
import os
import shutil
import struct
import zlib

from readerlib import check, check_installed, parse_args, run

import rungs
from rungs.records import TrialRecord, replay

MAGIC = 0x4A52A5D3


def frame(payload):
    head = struct.pack("<II", MAGIC, len(payload))
    return head + struct.pack("<I", zlib.crc32(head + payload)) + payload


def frame_v1(payload):
    return struct.pack("<II", len(payload), zlib.crc32(payload)) + payload


def s(text):
    b = text.encode()
    return struct.pack("<I", len(b)) + b


def value(v):
    if isinstance(v, bool):
        return b"\0" + bytes([v])
    if isinstance(v, int):
        return b"\1" + struct.pack("<q", v)
    if isinstance(v, float):
        return b"\2" + struct.pack("<d", v)
    return b"\3" + s(v)


def trial_record(tid, params, status=0, epochs=0, lost=None, reason="", seed=7):
    """io/study_journal.cpp's trial_record; lost=None: a journal from before `lost`."""
    out = b"T" + struct.pack("<i", tid) + struct.pack("<I", len(params))
    for name, v in sorted(params.items()):
        out += s(name) + value(v)
    out += bytes([status]) + struct.pack("<Q", seed) + struct.pack("<5i", 9, 1, 2, 3, 1)
    out += struct.pack("<dd", 1.7e9 + tid, 0.0) + s(reason) + struct.pack("<i", epochs)
    return out + (b"" if lost is None else struct.pack("<i", lost))


def epoch_record(tid, epoch, v):
    """An epoch as rungs journaled it before any-metric epochs: 'E', fixed metrics."""
    return b"E" + struct.pack("<ii", tid, epoch) + struct.pack("<6d", v, v, 1 - v, 1.5 - v, 0.5, 10.0 * epoch)


def metrics_record(tid, epoch, v, metrics):
    """io/study_journal.cpp's epoch_record: 'R', EpochResult as study/wire.h encodes it."""
    out = b"R" + struct.pack("<ii", tid, epoch) + struct.pack("<3d", v, 0.5, 10.0 * epoch)
    out += struct.pack("<I", len(metrics))
    for name, m in metrics.items():
        out += s(name) + struct.pack("<d", m)
    return out + b"\1"  # checkpointed


def expect_error(fn, text):
    try:
        fn()
    except rungs.RungsError as e:
        check(text in str(e), f"error {str(e)!r} says {text!r}")
        return
    check(False, f"no RungsError ({text!r})")


def case_frames(args):
    records = [trial_record(0, {"lr": 0.01, "opt": "sgd"}), epoch_record(0, 1, 0.5),
               epoch_record(0, 2, 0.6), b""]  # an empty payload is a valid frame
    good = b"RUNGSJ2\n" + b"".join(frame(r) for r in records)
    f = rungs.read_frames(good)
    check(f.records == records and f.ignored_bytes == 0 and f.version == 2, f"clean journal: {f}")
    check(rungs.read_frames(b"RUNGSJ2\n").records == [], "a header alone holds no record")
    for data in (b"", b"RUNGS", b"\0" * 100):
        f = rungs.read_frames(data)
        check(f.records == [] and f.ignored_bytes == len(data), f"{data[:8]!r}...: no records")

    # A torn last frame, cut at every byte: the frames before it, the rest ignored.
    last = len(good) - len(frame(records[-1])) - len(frame(records[-2]))
    for cut in range(last + 1, len(good) - len(frame(records[-1]))):
        f = rungs.read_frames(good[:cut])
        check(f.records == records[:2] and f.ignored_bytes == cut - last, f"cut at {cut}: {f}")
    # A tail of zeros (a power loss extended the file, the data never came).
    f = rungs.read_frames(good + b"\0" * 4096)
    check(f.records == records and f.ignored_bytes == 4096, f"zero tail: {f}")
    zeroed = good[:last] + b"\0" * (len(good) - last)
    f = rungs.read_frames(zeroed)
    check(f.records == records[:2] and f.ignored_bytes == len(good) - last, f"zeroed frames: {f}")
    # A bad checksum at the end is a torn write.
    bad_last = bytearray(good)
    bad_last[-1] ^= 0x01  # the CRC of the (empty) last frame
    f = rungs.read_frames(bytes(bad_last))
    check(f.records == records[:-1], f"a bad CRC at the end drops only that frame: {f}")
    # A bad frame with valid frames after it is damage: refuse to guess.
    first = 8 + len(frame(records[0]))
    damaged = bytearray(good)
    damaged[first + 13] ^= 0x40  # a payload byte of the second frame
    expect_error(lambda: rungs.read_frames(bytes(damaged), "x.journal"),
                 f"x.journal: damaged record at byte {first} followed by valid records")
    expect_error(lambda: rungs.read_frames(b"NOTAJRNL" + frame(b"x")), "not a rungs journal")

    # The first format: [length][CRC of the payload] frames, read up to the first bad one.
    v1 = b"RUNGSJ1\n" + b"".join(frame_v1(r) for r in records[:3])
    f = rungs.read_frames(v1 + b"\0" * 64)
    check(f.records == records[:3] and f.version == 1 and f.ignored_bytes == 64, f"RUNGSJ1: {f}")
    f = rungs.read_frames(v1[:-3])
    check(f.records == records[:2], f"RUNGSJ1 torn: {f}")
    print("ok: frames", flush=True)


def case_replay(args):
    def fresh():
        t = TrialRecord(id=0, params={"lr": 0.1})
        return [t]

    trials = fresh()
    replay([epoch_record(0, 1, 0.5), epoch_record(0, 2, 0.6), epoch_record(0, 2, 0.65),
            trial_record(1, {"lr": 0.01, "n": 64, "opt": "sgd", "nesterov": True}, status=2, lost=2),
            epoch_record(1, 1, 0.7)], trials)
    check([e.value for e in trials[0].curve] == [0.5, 0.65], "epoch N+1 appended, epoch N replaced")
    check(trials[0].curve[1].time == 20.0 and trials[0].curve[1].metrics ==
          {"val_accuracy": 0.65, "val_loss": 1 - 0.65, "train_loss": 1.5 - 0.65}, "every field")
    t1 = trials[1]
    check(len(trials) == 2 and t1.status == "completed" and t1.lost == 2 and t1.seed == 7,
          f"a trial record of the next id adds the trial: {t1}")
    check(t1.params == {"lr": 0.01, "n": 64, "opt": "sgd", "nesterov": True}
          and type(t1.params["n"]) is int and type(t1.params["nesterov"]) is bool, f"typed params {t1.params}")
    check((t1.max_epochs, t1.rung, t1.worker, t1.attempts, t1.checkpoint_epoch) == (9, 1, 2, 3, 1),
          "the int fields in order")
    replay([metrics_record(0, 3, 31.5, {"bleu": 31.5, "tokens_per_s": 1.25e4})], trials)
    e = trials[0].curve[2]
    check((e.epoch, e.value, e.seconds, e.time, e.metrics) ==
          (3, 31.5, 0.5, 30.0, {"bleu": 31.5, "tokens_per_s": 1.25e4}), f"any metrics: {e}")
    replay([trial_record(0, {"lr": 0.1}, status=1, epochs=2)], trials)
    # A trial record says how many epochs it has: later epochs are dropped (a retrain).
    replay([trial_record(0, {"lr": 0.1}, status=1, epochs=1)], trials)
    check(len(trials[0].curve) == 1 and trials[0].status == "paused" and trials[0].lost == 0,
          "epochs past the record's epochs_run dropped; no lost field reads as 0")
    replay([trial_record(0, {"lr": 0.1}, epochs=5)], trials)
    check(len(trials[0].curve) == 1, "a larger epochs_run adds nothing")
    # PBT's segments follow `lost`: a count, then (start_epoch, params, clone_trial, clone_epoch).
    segments = struct.pack("<I", 2) + struct.pack("<i", 0) + struct.pack("<I", 1) + s("lr") + value(0.1) + \
        struct.pack("<ii", -1, -1) + struct.pack("<i", 2) + struct.pack("<I", 1) + s("lr") + value(0.08) + \
        struct.pack("<ii", 1, 2)
    replay([trial_record(0, {"lr": 0.1}, epochs=1, lost=0) + segments], trials)
    check([(g.start_epoch, g.params, g.clone_trial, g.clone_epoch) for g in trials[0].segments] ==
          [(0, {"lr": 0.1}, -1, -1), (2, {"lr": 0.08}, 1, 2)], f"segments: {trials[0].segments}")
    expect_error(lambda: replay([epoch_record(0, 3, 0.1)], fresh()), "epoch 3 of trial 0, which has 0")
    expect_error(lambda: replay([epoch_record(4, 1, 0.1)], fresh()), "trial 4, which does not exist")
    expect_error(lambda: replay([trial_record(3, {})], fresh()), "trial 3, which does not exist")
    expect_error(lambda: replay([epoch_record(0, 1, 0.1) + b"x"], fresh()), "1 trailing bytes")
    expect_error(lambda: replay([b"X" + struct.pack("<i", 0)], fresh()), "unknown type 88")
    expect_error(lambda: replay([trial_record(0, {}, status=9)], fresh()), "bad status 9")
    expect_error(lambda: replay([epoch_record(0, 1, 0.1)[:20]], fresh()), "more bytes")
    print("ok: replay", flush=True)


def case_load_journal(args):
    """load() of a study.h5 written by rungs (the io sample study: six trials, trial 3
    running with 10 epochs, trial 4 paused) plus a journal written here."""
    folder = os.path.join(args.workdir, "run")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    path = os.path.join(folder, "study.h5")
    check(run([args.sample_writer, path]).returncode == 0, "rungs_io_write_sample_study")
    base = rungs.load(folder)
    check(base.journal_records == 0 and base.trials[3].status == "running", "the snapshot alone")
    check(base.trials[3].epochs_run == 10, "trial 3 has 10 epochs")
    width = base.trials[0].params["width"]
    check(width == 64 and type(width) is int, f"a mixed categorical [64, auto] comes back typed: {width!r}")

    records = [epoch_record(3, 11, 0.99), trial_record(6, {"lr": 0.003, "layers": 2}), epoch_record(6, 1, 0.4)]
    torn = frame(epoch_record(6, 2, 0.45))[:-5]
    with open(path + ".journal", "wb") as f:
        f.write(b"RUNGSJ2\n" + b"".join(frame(r) for r in records) + torn)
    before = open(path + ".journal", "rb").read()
    study = rungs.load(path)
    check(study.journal_records == 3 and study.journal_ignored_bytes == len(torn), "three records, a torn tail")
    check(open(path + ".journal", "rb").read() == before, "the journal is left as it is")
    check(study.trials[3].epochs_run == 11 and study.trials[3].value == 0.99, "trial 3's epoch 11")
    check(len(study.trials) == 7 and study.trials[6].epochs_run == 1, "trial 6 from the journal")
    check(study.best_trial.id == 3, "the best trial sees the journal's epoch")
    df = study.trials_dataframe()
    check(len(df) == 7 and df.epochs.tolist()[3] == 11, "the DataFrame too")
    check(len(study.curves_dataframe()) == len(base.curves_dataframe()) + 2, "two more curve rows")
    snapshot_only = rungs.load(path, use_journal=False)
    check(snapshot_only.trials == base.trials, "use_journal=False reads the snapshot alone")

    with open(path + ".journal", "wb") as f:
        f.write(b"RUNGSJ2\n" + frame(epoch_record(3, 13, 0.1)))
    expect_error(lambda: rungs.load(path), "study.h5.journal: record 0: journal record for epoch 13 of trial 3")
    with open(path + ".journal", "wb") as f:
        f.write(b"RUNGSJ2\n" + frame(b"E" + b"\0" * 3) + frame(epoch_record(3, 11, 0.5)))
    expect_error(lambda: rungs.load(path), "record 0:")
    os.remove(path + ".journal")
    check(rungs.load(path).trials == base.trials, "no journal: the snapshot")
    expect_error(lambda: rungs.load(os.path.join(args.workdir, "nothing")), "no such file")
    with open(os.path.join(args.workdir, "text.h5"), "w") as f:
        f.write("just text\n")
    expect_error(lambda: rungs.load(os.path.join(args.workdir, "text.h5")), "not an HDF5 file")
    print("ok: load with a journal", flush=True)


CASES = {"frames": case_frames, "replay": case_replay, "load_journal": case_load_journal}

if __name__ == "__main__":
    args = parse_args(CASES)
    check_installed()
    CASES[args.case](args)
