"""From per-problem counts to decisions, per cell: pass@k with intervals,
selected@k, the cost of k samples, and scaling fits (where each cell crosses
a reference system's pass@1: passgrid.analysis.crossings).
"""
import numpy as np
import pandas as pd

from passgrid.analysis import costs, failures, fits, forecast, weak_tests
from passgrid.analysis.columns import INTERVAL, SELECTING
from passgrid.analysis.strategies import strategy
from passgrid.analysis.strategies.pools import pools
from passgrid.analysis.uncertainty import METHOD, mean_with_interval, pass_at_k_with_interval, problem_curves, replicate_curves


def cell_curves(per_problem: pd.DataFrame, analysis, used: dict, pricing: costs.Pricing, probes: pd.DataFrame = None,
                strong: pd.DataFrame = None, outcomes: pd.DataFrame = None, weak_strong: pd.DataFrame = None):
    """One row per k: pass@k and its interval, selected@k (with probes), pass@k
    under stronger tests (with `strong`), the cost of k samples per problem,
    and (with `outcomes`: each sample's kind and program) what keeps
    problems unsolved and how many distinct programs k samples hold, and
    (with `weak_strong`: per problem n, w, b) what resampling until the weak
    tests pass gives; and the replicate curves of pass@k (and selected@k),
    by metric."""
    table, boot = pass_at_k_with_interval(per_problem, analysis.level, analysis.bootstrap, analysis.seed)
    n = int(per_problem["n"].min())
    if outcomes is not None:
        table = table.merge(failures.unsolved_by_kind(outcomes, n), on="k")
        table["distinct_programs"] = failures.distinct_programs(outcomes, n)
        table = table.assign(**{f"samples_{kind}": count for kind, count in failures.failure_counts(outcomes).items()})
    replicates = {"pass_at_k": boot}
    if probes is not None:
        task_ids = list(per_problem["task_id"])
        found = pools(probes, task_ids, n)  # built once, for every strategy
        strong_found = pools(probes.assign(correct=probes["strong_correct"]), task_ids, n) \
            if "strong_correct" in probes else None
        for name in SELECTING:
            fallbacks = sum(strategy(name).falls_back(pool) for pool in found)
            if fallbacks == len(found):
                continue  # nothing it needs anywhere (no written tests, no log-probabilities): no columns
            chosen, replicates[f"{name}_at_k"] = strategy_table(name, found, n, analysis)
            table = table.merge(chosen, on="k", how="left").assign(**{f"{name}_fallback_problems": fallbacks})
            if strong_found:  # the same pick, judged by the stronger tests: its false passes
                strong_pick, _ = strategy_table(name, strong_found, n, analysis)
                table = table.merge(strong_pick[["k", f"{name}_at_k", f"{name}_at_k_lo", f"{name}_at_k_hi"]]
                                    .rename(columns=lambda c: c if c == "k" else f"strong_{c}"), on="k", how="left")
    if strong is not None:
        strong_table, _ = pass_at_k_with_interval(strong, analysis.level, analysis.bootstrap, analysis.seed)
        table = table.merge(strong_table.rename(columns=lambda c: c.replace("pass_at_k", "strong_pass_at_k")),
                            on="k", how="left")
    if weak_strong is not None:
        table = table.merge(weak_tests.resampling_until_weak_pass(weak_strong), on="k", how="left")
    table = table.assign(**costs.cost_at_k(used, pricing, n, table["k"].to_numpy()),
                         **{f"{unit}_basis": text for unit, text in costs.basis(pricing).items()})
    table[INTERVAL] = f"{METHOD}, {analysis.bootstrap} replicates, {100 * analysis.level:g}%"
    return table, replicates


def budget_ks(n: int) -> list:
    """The ks a figure shows in columns: powers of two up to n, and n."""
    return sorted({2 ** i for i in range(int(np.log2(n)) + 1)} | {n})


def strategy_table(name: str, found: list, n: int, analysis):
    """A strategy's value at every k = 1..n (passgrid.analysis.strategies),
    with its interval over problems, its Monte Carlo error (where it is not
    exact) and its expected samples drawn (where it draws fewer than k); and
    its replicate curves. `found`: each problem's Pool
    (passgrid.analysis.strategies.pools), in the order of pass@k's problems,
    so that a replicate weighs the same problems in both."""
    chosen, rng = strategy(name), np.random.default_rng(analysis.seed)
    curves = [chosen.curve(pool, orders=analysis.selection_orders, rng=rng) for pool in found]
    per_problem = np.stack([c.value for c in curves])
    point, lo, hi, boot = mean_with_interval(per_problem, analysis.level, analysis.bootstrap, analysis.seed)
    table = pd.DataFrame({"k": np.arange(1, n + 1), f"{name}_at_k": point, f"{name}_at_k_lo": lo,
                          f"{name}_at_k_hi": hi})
    if not chosen.exact:
        table[f"{name}_at_k_mc_error"] = np.sqrt(np.sum([c.variance for c in curves], axis=0)) / len(curves)
    if chosen.saves_samples:
        table[f"{name}_drawn"] = np.mean([c.drawn for c in curves], axis=0)
    return table, boot


def fit_rows(cell: str, table: pd.DataFrame, boot: np.ndarray, analysis, per_problem: pd.DataFrame,
             first_counts: pd.DataFrame = None) -> list:
    """The forecasters of one cell (the power law fitted to the pass@k
    curve; the Beta and the zero-inflated Beta fitted to the problems'
    counts: passgrid.analysis.forecast.FORECASTERS): parameters, goodness,
    extrapolations with intervals (at the ks of analysis.extrapolate_to within
    the horizon, analysis.horizon x n, and at the horizon), and their
    validation, made alike: each
    fitted on only the first m = fit_fraction x n samples of every problem
    (`first_counts`: those samples' counts, n = m) and asked for pass@n, which
    all n samples measured."""
    point = table["pass_at_k"].to_numpy()
    n = len(point)
    horizon = fits.horizon(analysis, n)  # and the horizon itself: how far the data lets a forecast go
    targets = sorted({k for k in analysis.extrapolate_to if n < k <= horizon} | ({horizon} if horizon > n else set()))
    level, replicates, seed = analysis.level, analysis.bootstrap, analysis.seed
    rows = []
    law, pred, lo, hi, fitted = fits.fit_with_intervals(point, boot, targets or [n], level)
    if law is None:
        rows.append({"cell": cell, "fit": f"{fits.LAW}: none, fewer than two ks with 0 < pass@k < 1"})
    else:
        rows.append({"cell": cell, "fit": fits.LAW, "a": law.a, "b": law.b, "r2": law.r2, "rmse": law.rmse,
                     "fitted_k_max": n, "replicates_fitted": fitted, **_validation(first_counts, n, point[-1], analysis, _law_at)})
        rows += _extrapolations(cell, fits.LAW, targets, pred, lo, hi)
    for name, fitter in forecast.FORECASTERS.items():
        fit, pred, lo, hi, fitted = forecast.with_intervals(fitter, per_problem["n"], per_problem["c"],
                                                            targets or [n], level, replicates, seed)
        if fit is None:
            rows.append({"cell": cell, "fit": f"{name}: none, every problem solved always or never"})
            continue
        rmse = float(np.sqrt(((fit.predict(np.arange(1, n + 1)) - point) ** 2).mean()))
        at_n = _counts_at(fitter)
        rows.append({"cell": cell, "fit": name, **fit.params(), "rmse": rmse, "fitted_k_max": n,
                     "replicates_fitted": fitted, **_validation(first_counts, n, point[-1], analysis, at_n)})
        rows += _extrapolations(cell, name, targets, pred, lo, hi)
    return rows


def _extrapolations(cell, fit, targets, pred, lo, hi) -> list:
    return [{"cell": cell, "fit": "extrapolation", "forecaster": fit, "k": k, "predicted": p, "predicted_lo": low,
             "predicted_hi": high} for k, p, low, high in zip(targets, pred, lo, hi)]


def _law_at(first: pd.DataFrame, n: int, analysis):
    curves = problem_curves(first)
    point = curves.mean(axis=0)
    law, pred, lo, hi, _ = fits.fit_with_intervals(point, replicate_curves(curves, analysis.bootstrap,
                                                                            analysis.seed), [n], analysis.level)
    return None if law is None else (pred[0], lo[0], hi[0])


def _counts_at(fitter):
    """A count forecaster asked for pass@n from the first samples' counts."""
    def at(first: pd.DataFrame, n: int, analysis):
        fit, pred, lo, hi, _ = forecast.with_intervals(fitter, first["n"], first["c"], [n], analysis.level,
                                                       analysis.bootstrap, analysis.seed)
        return None if fit is None else (pred[0], lo[0], hi[0])
    return at


# A forecast from fewer samples per problem is a curve through a point or
# two (the power law's R² is 1 by construction with two): none is made.
MIN_FORECAST_SAMPLES = 5


def _validation(first, n: int, observed: float, analysis, forecaster) -> dict:
    """A forecast of pass@n from each problem's first m samples only (m =
    fit_fraction x n, at least MIN_FORECAST_SAMPLES), against the measured pass@n."""
    m = None if first is None else int(first["n"].min())
    if m is None or m < MIN_FORECAST_SAMPLES or m >= n:
        return {}
    found = forecaster(first, n, analysis)
    if found is None:
        return {}
    predicted, lo, hi = map(float, found)
    return {"validation_fit_samples": m, "validation_k": n, "validation_predicted": predicted, "validation_lo": lo,
            "validation_hi": hi, "validation_observed": float(observed), "validation_error": predicted - observed}
