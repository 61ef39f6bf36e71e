"""Read rungs studies (runs/NAME/study.h5 and its journal) into Python.

    import rungs
    study = rungs.load("runs/mystudy")       # or runs/mystudy/study.h5
    study.trials_dataframe()                 # the columns of `rungs export --csv`
    study.curves_dataframe()                 # one row per reported epoch
    study.best_trial                         # as `rungs best` picks it
    study.to_optuna()                        # an in-memory optuna.Study (needs optuna)

Only reads: a running study's files are never changed, and it is seen up to its last
committed epoch (the snapshot in study.h5 plus the journal's records since).
"""
from .errors import RungsError
from .journal import read_frames
from .records import Epoch
from .space import ParamSpec
from .study import RungsWarning, Study, Trial, load

__version__ = "0.1.0"
__all__ = ["load", "Study", "Trial", "Epoch", "ParamSpec", "RungsError", "RungsWarning",
           "read_frames", "__version__"]
