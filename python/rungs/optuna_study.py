"""Study.to_optuna(): a rungs study as an in-memory optuna.Study, for Optuna's plots.

Each rungs trial becomes one optuna FrozenTrial (optuna.trial.create_trial), added in id
order so that trial.number is the rungs trial id:

=========================  ==========  ==================================================
rungs status               Optuna      value
=========================  ==========  ==================================================
completed                  COMPLETE    the trial's value (best epoch, as ``rungs best``)
stopped (pruned by ASHA)   PRUNED      its last epoch's value, as Optuna's tell() does
failed                     FAIL        none
running, paused            RUNNING     none (plot_intermediate_values still shows them)
=========================  ==========  ==================================================

A completed trial without any non-NaN value becomes FAIL (Optuna needs a value there).
Intermediate values are the epochs' metric, keyed by epoch (1, 2, ...). Distributions come
from the search space: float -> FloatDistribution(low, high, log, step), int ->
IntDistribution(low, high, log, step), categorical -> CategoricalDistribution(choices);
a conditional parameter is present only in the trials where it was active. When the search
space is unknown they are inferred from the values trials hold. The rungs fields that have
no Optuna counterpart go to user_attrs: rungs_state, epochs, max_epochs, rung, worker,
seed, attempts, lost, best_epoch, reason.
"""
import datetime
import math

from .space import to_text


def _distribution(spec, values):
    from optuna import distributions as d
    if spec is not None and spec.type == "float":
        return d.FloatDistribution(spec.low, spec.high, log=spec.log, step=spec.step)
    if spec is not None and spec.type == "int":
        return d.IntDistribution(int(spec.low), int(spec.high), log=spec.log,
                                 step=int(spec.step or 1))
    if spec is not None:
        return d.CategoricalDistribution(list(spec.choices))
    # No search space: what the trials hold.
    if values and all(isinstance(v, float) for v in values):
        return d.FloatDistribution(min(values), max(values))
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return d.IntDistribution(min(values), max(values))
    seen = {}
    for v in values:
        seen.setdefault((type(v).__name__, to_text(v)), v)
    return d.CategoricalDistribution(list(seen.values()))


def _when(unix_seconds, fallback):
    """A naive local datetime, as Optuna records its own."""
    seconds = unix_seconds if unix_seconds > 0 else fallback
    return datetime.datetime.fromtimestamp(seconds)


def _state_and_value(trial):
    from optuna.trial import TrialState
    if trial.status == "completed":
        if trial.value is None:
            return TrialState.FAIL, None
        return TrialState.COMPLETE, trial.value
    if trial.status == "stopped":
        last = trial.last_value
        return TrialState.PRUNED, (last if last is not None and not math.isnan(last) else None)
    if trial.status == "failed":
        return TrialState.FAIL, None
    return TrialState.RUNNING, None


def to_optuna(study):
    import optuna
    from optuna.trial import TrialState

    names = study.param_names
    distributions = {}
    for name in names:
        values = [t.params[name] for t in study.trials if name in t.params]
        distributions[name] = _distribution(study.params.get(name), values)

    frozen = []
    for t in study.trials:
        state, value = _state_and_value(t)
        start = _when(t.start_time, study.start_time)
        finished = state in (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
        attrs = {"rungs_state": t.status, "epochs": t.epochs_run, "max_epochs": t.max_epochs,
                 "rung": t.rung, "worker": t.worker, "seed": t.seed, "attempts": t.attempts,
                 "lost": t.lost, "best_epoch": t.best_epoch}
        if t.reason:
            attrs["reason"] = t.reason
        trial = optuna.trial.create_trial(
            state=state, value=value,
            params={n: t.params[n] for n in names if n in t.params},
            distributions={n: distributions[n] for n in names if n in t.params},
            user_attrs=attrs,
            intermediate_values={e.epoch: e.value for e in t.curve})
        # create_trial stamps "now"; the trial's own times are what the plots should show.
        trial.datetime_start = start
        trial.datetime_complete = _when(t.end_time, start.timestamp()) if finished else None
        frozen.append(trial)

    # Optuna logs "A new study created in memory" at INFO; this is a conversion, not news.
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        out = optuna.create_study(study_name=study.name, direction=study.direction)
    finally:
        optuna.logging.set_verbosity(verbosity)
    out.add_trials(frozen)
    return out
