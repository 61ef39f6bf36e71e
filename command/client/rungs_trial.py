"""rungs_trial: the client a training program imports to be tuned by rungs.

One file, no dependencies beyond Python's standard library. Under `rungs run` the program
gets its trial's hyperparameters and reports every epoch; rungs answers whether to go on.
Run without rungs (plain `python3 train.py`), the same calls work with the defaults given
to init(), every report answers "continue", and checkpoints go to ./checkpoints.

    import rungs_trial
    trial = rungs_trial.init(defaults={"lr": 1e-3, "width": 256}, epochs=10)
    model = build(trial.params)
    if trial.resume_from:                       # a folder an earlier run committed
        load(model, trial.resume_from)
    for epoch in range(trial.start_epoch + 1, trial.end_epoch + 1):
        train_one_epoch(model, should_stop=trial.should_stop)
        with trial.checkpoint(epoch) as folder:  # committed when the block ends
            save(model, folder)
        if trial.report(epoch, val_accuracy=acc, val_loss=loss) != "continue":
            break                                # stop, or pause: rungs may resume it

Decisions: "continue"; "stop" (the scheduler ended the trial); "pause" (end this run now,
after the checkpoint: the trial goes on later, from it). Exit normally after either. If the
program itself must end early and be run again, it exits with status 75.

On a trial of several ranks (resources.ranks_per_trial: K, e.g. PyTorch DDP), rungs starts K
processes with RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT set for torch.distributed;
trial.rank and trial.world_size say which one this is. Every rank reports; the decision is
made on rank 0's metrics and every rank's report() returns it. Rank 0's checkpoints are the
trial's; on other ranks checkpoint() gives a scratch folder that is thrown away.
See docs/programs.md for the protocol and the environment.
"""
import json
import math
import os
import shutil
import socket
import sys

__all__ = ["init", "Trial"]

PROTOCOL = 1
_trial = None


class Trial:
    """The trial this process runs. Create it with init()."""

    def __init__(self, defaults=None, epochs=None):
        env = os.environ
        fd = env.get("RUNGS_TRIAL_FD")
        self._socket = None
        self._buffer = b""
        self._interrupted = False
        self.under_rungs = fd is not None
        # torchrun's RANK and WORLD_SIZE count when the program runs without rungs.
        self.rank = int(env.get("RUNGS_GROUP_RANK") or env.get("RANK") or 0)
        self.world_size = int(env.get("RUNGS_GROUP_SIZE") or env.get("WORLD_SIZE") or 1)
        if self.under_rungs:
            self._socket = socket.socket(fileno=int(fd))
            with open(env["RUNGS_PARAMS_JSON"]) as f:
                given = json.load(f)
            self.params = dict(defaults or {})
            self.params.update(given)
            self.trial_id = int(env["RUNGS_TRIAL_ID"])
            self.start_epoch = int(env["RUNGS_START_EPOCH"])
            self.end_epoch = int(env["RUNGS_END_EPOCH"])
            self.max_epochs = int(env["RUNGS_MAX_EPOCHS"])
            self.seed = int(env["RUNGS_SEED"])
            self.trial_dir = env["RUNGS_TRIAL_DIR"]
            self._stem = env["RUNGS_CHECKPOINT_STEM"]
            self.resume_from = env.get("RUNGS_RESUME_FROM") or None
            self._send({"type": "hello", "pid": os.getpid()})
        else:
            self.params = dict(defaults or {})
            self.trial_id = 0
            self.start_epoch = 0
            self.end_epoch = self.max_epochs = int(epochs if epochs is not None else 1)
            self.seed = 0
            self.trial_dir = os.getcwd()
            self._stem = os.path.join(os.getcwd(), "checkpoints", "trial_0")
            self.resume_from = None
        self.checkpoint_dir = os.path.dirname(self._stem)

    # -- reporting ---------------------------------------------------------------------------

    def report(self, epoch, **metrics):
        """Reports epoch `epoch` (counting from 1) with its metrics (numbers; the study's
        `metric` among them) and returns rungs' decision: "continue", "stop" or "pause".
        Blocks until rungs has recorded the epoch and decided."""
        if not self.under_rungs:
            return "continue"
        checkpointed = os.path.isdir(self._folder(epoch))
        self._send({"type": "report", "epoch": int(epoch), "checkpoint": checkpointed,
                    "metrics": {k: _number(v) for k, v in metrics.items()}})
        while True:
            message = self._receive(block=True)
            if message is None:
                return "stop"  # rungs is gone: nothing to report to
            if message.get("type") == "interrupt":
                self._interrupted = True
            elif message.get("type") == "decision":
                return message.get("decision", "stop")

    def should_stop(self):
        """True once rungs asked this run to end early (a preemption: the study is being
        saved). Cheap; call it between batches to end within the grace period, then exit
        (status 75) without reporting the epoch in progress."""
        if self.under_rungs and not self._interrupted:
            while True:
                message = self._receive(block=False)
                if message is None:
                    break
                if message.get("type") == "interrupt":
                    self._interrupted = True
        return self._interrupted

    # -- checkpoints -------------------------------------------------------------------------

    def checkpoint(self, epoch):
        """A context manager: a fresh folder to write the state after `epoch` epochs into;
        when the block ends without an exception the folder is committed whole (renamed into
        place, then made durable), and the next report says so, so that rungs resumes the
        trial from it. An exception leaves no checkpoint. On ranks other than 0 the folder is
        scratch, removed when the block ends: rank 0's checkpoint is the trial's."""
        if self.rank != 0:
            return _Scratch(os.path.join(self.trial_dir, f"scratch.rank{self.rank}.e{int(epoch)}"))
        return _Checkpoint(self._folder(epoch))

    def _folder(self, epoch):
        return f"{self._stem}.e{int(epoch)}"

    # -- the channel -------------------------------------------------------------------------

    def _send(self, message):
        message = dict(message, v=PROTOCOL)
        data = (json.dumps(message, allow_nan=False) + "\n").encode()
        try:
            self._socket.sendall(data)
        except OSError:
            pass

    def _receive(self, block):
        while b"\n" not in self._buffer:
            try:
                self._socket.setblocking(block)
                chunk = self._socket.recv(65536)
            except (BlockingIOError, InterruptedError):
                return None
            except OSError:
                return None
            finally:
                self._socket.setblocking(True)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        try:
            message = json.loads(line)
        except ValueError:
            return {}
        return message if isinstance(message, dict) else {}


class _Checkpoint:
    def __init__(self, folder):
        self.folder = folder
        self.temporary = folder + ".tmp"

    def __enter__(self):
        shutil.rmtree(self.temporary, ignore_errors=True)
        os.makedirs(self.temporary)
        return self.temporary

    def __exit__(self, kind, value, traceback):
        if kind is not None:
            shutil.rmtree(self.temporary, ignore_errors=True)
            return False
        for root, _, files in os.walk(self.temporary):
            for name in files:
                _fsync(os.path.join(root, name), os.O_RDONLY)
            _fsync(root, os.O_RDONLY | os.O_DIRECTORY)
        shutil.rmtree(self.folder, ignore_errors=True)  # a run before this one left it
        os.rename(self.temporary, self.folder)
        _fsync(os.path.dirname(self.folder) or ".", os.O_RDONLY | os.O_DIRECTORY)
        return False


class _Scratch:
    def __init__(self, folder):
        self.folder = folder

    def __enter__(self):
        shutil.rmtree(self.folder, ignore_errors=True)
        os.makedirs(self.folder)
        return self.folder

    def __exit__(self, kind, value, traceback):
        shutil.rmtree(self.folder, ignore_errors=True)
        return False


def _fsync(path, flags):
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _number(value):
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def init(defaults=None, epochs=None):
    """The trial of this process (the same object on every call). `defaults`: the
    hyperparameters when run without rungs (and those the study does not set); `epochs`:
    how many epochs to train without rungs."""
    global _trial
    if _trial is None:
        _trial = Trial(defaults, epochs)
    return _trial
