"""Study.to_optuna() checked trial by trial against the Study it came from, and Optuna's
plots (optuna.visualization, plotly) drawn from it."""
import math
import os

from readerlib import check

STATES = {"completed": "COMPLETE", "stopped": "PRUNED", "failed": "FAIL",
          "running": "RUNNING", "paused": "RUNNING"}


def check_optuna(study, plot_dir):
    import optuna
    from optuna import distributions as d
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    o = study.to_optuna()
    check(o.study_name == study.name, "study name")
    check(o.direction.name == study.direction.upper(), f"direction {o.direction}")
    check([t.number for t in o.trials] == [t.id for t in study.trials], "trial numbers are rungs ids")
    for ours, theirs in zip(study.trials, o.trials):
        want = STATES[ours.status]
        if ours.status == "completed" and ours.value is None:
            want = "FAIL"
        check(theirs.state.name == want, f"trial {ours.id}: {ours.status} -> {theirs.state.name}")
        if want == "COMPLETE":
            check(theirs.value == ours.value, f"trial {ours.id}: value {theirs.value} vs {ours.value}")
        elif want == "PRUNED":
            last = ours.last_value
            expect = None if last is None or math.isnan(last) else last
            check(theirs.value == expect, f"trial {ours.id}: pruned at its last value {expect}")
        else:
            check(theirs.value is None, f"trial {ours.id}: no value when {want}")
        check(theirs.params == ours.params, f"trial {ours.id}: params {theirs.params} vs {ours.params}")
        check(theirs.intermediate_values == {e.epoch: e.value for e in ours.curve},
              f"trial {ours.id}: intermediate values are the curve")
        check(abs(theirs.datetime_start.timestamp() - ours.start_time) < 1e-3, "datetime_start")
        if theirs.state.is_finished() and ours.end_time > 0:
            check(abs(theirs.datetime_complete.timestamp() - ours.end_time) < 1e-3, "datetime_complete")
        check(theirs.user_attrs["rungs_state"] == ours.status and
              theirs.user_attrs["epochs"] == ours.epochs_run, "user_attrs")
        for name, dist in theirs.distributions.items():
            spec = study.params.get(name)
            if spec is None:
                continue
            if spec.type == "float":
                check(isinstance(dist, d.FloatDistribution) and dist.log == spec.log and
                      dist.low == spec.low and dist.step == spec.step, f"{name}: {dist} for {spec}")
            elif spec.type == "int":
                check(isinstance(dist, d.IntDistribution) and dist.log == spec.log and
                      (dist.low, dist.step) == (spec.low, spec.step), f"{name}: {dist} for {spec}")
            else:
                check(isinstance(dist, d.CategoricalDistribution) and
                      tuple(dist.choices) == spec.choices, f"{name}: {dist} for {spec}")
    complete = [t for t in study.trials if t.status == "completed" and t.value is not None]
    if complete:
        pick = max if study.direction == "maximize" else min
        best_value = pick(t.value for t in complete)
        check(o.best_trial.value == best_value, f"Optuna's best trial {o.best_trial.number}")

    os.makedirs(plot_dir, exist_ok=True)
    history = optuna.visualization.plot_optimization_history(o)
    points = [tr for tr in history.data if tr.name == "Objective Value"]
    check(len(points) == 1, f"plot_optimization_history: traces {[tr.name for tr in history.data]}")
    check(list(points[0].y) == [t.value for t in complete], "it plots every completed trial's value")
    inter = optuna.visualization.plot_intermediate_values(o)
    shown = [t for t in study.trials if t.curve and STATES[t.status] in ("COMPLETE", "PRUNED", "RUNNING")
             and not (t.status == "completed" and t.value is None)]
    check(len(inter.data) == len(shown), f"plot_intermediate_values: {len(inter.data)} curves, {len(shown)} trials")
    for trace, t in zip(inter.data, shown):
        check(trace.name == f"Trial{t.id}" and list(trace.y) == [e.value for e in t.curve],
              f"{trace.name}: the curve of trial {t.id}")
    figures = {"history": history, "intermediate": inter,
               "slice": optuna.visualization.plot_slice(o)}
    for name, fig in figures.items():
        out = os.path.join(plot_dir, name + ".html")
        fig.write_html(out, include_plotlyjs=False)
        check(os.path.getsize(out) > 1000, f"{out} written")
    print(f"ok: to_optuna(): {len(o.trials)} trials ({sum(t.state == TrialState.COMPLETE for t in o.trials)}"
          f" complete); optimization history, intermediate values and slice plots drawn", flush=True)
    return o
