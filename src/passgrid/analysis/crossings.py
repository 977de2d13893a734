"""Where a cell reaches a reference system's pass@1: the smallest k, its
range, and what that k costs.

Within the n samples drawn, a crossing comes from the measured curve only,
for the point and for every replicate of the problems
(passgrid.analysis.uncertainty); the range is the replicates' percentiles. Beyond n, the power law fitted to the curve
(and to each replicate) places k only above n and no further than the
horizon, `analysis.horizon` x n: a k past it is "beyond the horizon", in
words, never a number no data can back.

A measured reference (a reference model's cell) is compared on exactly the
cell's problems: its pass@1 recomputed on them, and for pass@k resampled
together with the cell's (the same problems in each replicate), so the
range holds its uncertainty too. selected@k is found the same way, at every
k, but not extrapolated beyond n. A cited
one declares the dataset and the number of problems its pass@1 was
measured on; a cell on other problems (the first 24 of HumanEval's 164,
MBPP against a HumanEval figure) is compared all the same but marked:
`same_problems` False, and the reading and table say so.
"""
import functools

import numpy as np
import pandas as pd

from passgrid.analysis import costs, fits
from passgrid.analysis.uncertainty import interval, posterior_weights, with_unseen

MEASURED = "measured"
EXTRAPOLATED = "extrapolated by the power law, within the horizon"
BEYOND = "not reached within n; beyond the horizon"
NO_FIT = "not reached within n; no power law to extrapolate (nothing partly solved, or a curve that does not climb)"
FIT_WITHIN = "not reached within n; the power law would put it within n, where the data does not: not extrapolated"
NOT_REACHED = "not reached within n (a strategy's curve is not extrapolated)"


def comparison(ref: dict, per_problem: pd.DataFrame, on: dict, reference_counts: dict):
    """(the reference's pass@1 on the cell's problems, its value per problem
    (measured: for joint replicates; cited: None), whether the problems are
    the same, and on what it was measured, in words).
    `on`: the cell's {"dataset", "problems"}; `reference_counts`: a measured
    reference's per-problem counts, by its name."""
    if ref["kind"] == "measured":
        counts = reference_counts[ref["name"]].set_index("task_id")
        missing = [t for t in per_problem["task_id"] if t not in counts.index]
        if missing:
            return ref["pass_at_1"], None, False, f"its own {len(counts)} problems ({len(missing)} of the cell's missing)"
        values = (counts.loc[per_problem["task_id"], "c"] / counts.loc[per_problem["task_id"], "n"]).to_numpy(float)
        return float(values.mean()), values, True, f"the cell's {len(values)} problems"
    dataset, problems = ref.get("dataset"), ref.get("problems")
    same = dataset == on["dataset"] and problems == on["problems"]
    said = f"{dataset or 'an undeclared dataset'}, {problems or 'an undeclared number of'} problems"
    return ref["pass_at_1"], None, bool(same), said


def crossing_rows(cell: str, table: pd.DataFrame, replicates: dict, per_problem: pd.DataFrame, analysis,
                  references: list, reference_counts: dict, on: dict, used: dict, pricing: costs.Pricing) -> list:
    """Per reference and metric (oracle pass@k; selected@k, where the cell
    has it): the smallest k reaching the reference's pass@1, its range and
    costs (see the module's docstring). `replicates`: each metric's
    replicate curves (passgrid.analysis.curves.cell_curves)."""
    n = int(table["k"].max())
    horizon = fits.horizon(analysis, n)
    weights = posterior_weights(len(per_problem), analysis.bootstrap, analysis.seed)  # the curves' own replicates
    # pass@k's power laws (the point's, then each replicate's), fitted once for every reference; a strategy has none
    laws = {"pass_at_k": _laws([table["pass_at_k"].to_numpy(), *replicates["pass_at_k"]])}
    rows = []
    for ref in references:
        target, values, same, measured_on = comparison(ref, per_problem, on, reference_counts)
        targets = weights @ with_unseen(values) if values is not None else np.full(len(weights), target)
        for metric, boot in replicates.items():
            extrapolate = metric in laws  # a strategy's curve is not extrapolated: only pass@k has a law
            law = laws.get(metric, [None] * (len(boot) + 1))
            k_point, how = _k_needed(table[metric].to_numpy(), target, n, horizon, extrapolate, law[0])
            ends = _range([_k_needed(r, t, n, horizon, extrapolate, fit)[0] for r, t, fit in zip(boot, targets, law[1:])],
                          analysis.level, k_point)
            row = {"cell": cell, "reference": ref["name"], "reference_kind": ref["kind"],
                   "reference_pass_at_1": target, "reference_measured_on": measured_on, "same_problems": same,
                   "metric": metric.replace("_at_k", "@k"), "k_needed": k_point, "k_needed_low": ends[0],
                   "k_needed_high": ends[1], "how": how, "budget_sampled": n, "horizon": horizon,
                   "reference_cost_usd": _reference_cost(ref, len(per_problem))}
            for end, k in (("", k_point), ("_low", ends[0]), ("_high", ends[1])):
                if k is not None and np.isfinite(k):
                    row[f"samples_drawn{end}"] = drawn = _drawn(table, metric, float(k))
                    row.update({f"{unit}{end}": value for unit, value in
                                costs.cost_at_k(used, pricing, n, drawn).items() if value is not None})
            rows.append(row)
    return rows


def _drawn(table: pd.DataFrame, metric: str, k: float) -> float:
    """The samples per problem a metric's strategy draws at a budget of k: k,
    or fewer where it stops early (its NAME_drawn column), which is what it costs."""
    column = metric.replace("_at_k", "_drawn")
    return float(table.loc[table["k"] == k, column].iloc[0]) if column in table and k in set(table["k"]) else k


def _reference_cost(ref: dict, problems: int):
    """The reference's pass@1 in US$ over the cell's problems, where it is
    known (a price it declares, or tokens and prices it was measured with); None: unknown."""
    per_problem = ref.get("cost_usd_per_problem")
    return None if per_problem is None or pd.isna(per_problem) else float(per_problem) * problems


def _laws(curves) -> list:
    """Each curve's power law, fitted when first asked for, then kept."""
    return [functools.cache(functools.partial(fits.fit_power_law, curve)) for curve in curves]


def _k_needed(curve: np.ndarray, target: float, n: int, horizon: int, extrapolate: bool = True, law_of=None):
    """(k, how): from the measured curve where it reaches the target within
    n; else (with `extrapolate`) the power law's k where it lies in
    (n, horizon]; else inf. `law_of`: gives the curve's power law, where it
    is kept (by default it is fitted here)."""
    k = _first_k(np.arange(1, len(curve) + 1), curve, target)
    if k is not None:
        return k, MEASURED
    if not extrapolate:
        return float("inf"), NOT_REACHED
    law = law_of() if law_of else fits.fit_power_law(curve)
    budget = law.budget_for(target) if law is not None else float("inf")
    if n < budget <= horizon:
        return int(np.ceil(budget)), EXTRAPOLATED
    if law is None or law.b >= 0:
        return float("inf"), NO_FIT
    return float("inf"), FIT_WITHIN if budget <= n else BEYOND


def _range(ks: list, level: float, point) -> tuple:
    """The replicates' percentile range, by nearest rank (ends may be inf:
    beyond the horizon), widened where needed to hold the point's k."""
    low, high = interval(np.asarray(ks, dtype=float), level, point, method="nearest")
    return float(low), float(high)


def _first_k(ks, values, target):
    hit = np.flatnonzero(np.asarray(values) >= target)
    return int(np.asarray(ks)[hit[0]]) if len(hit) else None
