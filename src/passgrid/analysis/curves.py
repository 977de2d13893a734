"""From per-problem counts to decisions, per cell: pass@k with intervals,
selected@k, the cost of k samples, scaling fits, and where each cell crosses
a reference system's pass@1.
"""
import numpy as np
import pandas as pd

from passgrid.analysis import costs, fits, selection
from passgrid.analysis.uncertainty import METHOD, bootstrap_curves, interval, pass_at_k_with_interval


def cell_curves(per_problem: pd.DataFrame, analysis: dict, used: dict, model: dict, probes: pd.DataFrame = None,
                strong: pd.DataFrame = None):
    """One row per k: pass@k and its interval, selected@k (with probes), pass@k
    under stronger tests (with `strong`), the cost of k samples per problem;
    and the bootstrap replicate curves of pass@k."""
    table, boot = pass_at_k_with_interval(per_problem, analysis["level"], analysis["bootstrap"], analysis["seed"])
    n = int(per_problem["n"].min())
    if probes is not None:
        table = table.merge(selected_table(probes, n, analysis), on="k", how="left")
    if strong is not None:
        strong_table, _ = pass_at_k_with_interval(strong, analysis["level"], analysis["bootstrap"], analysis["seed"])
        table = table.merge(strong_table.rename(columns=lambda c: c.replace("pass_at_k", "strong_pass_at_k")),
                            on="k", how="left")
    table = table.assign(**costs.cost_at_k(used, model, n, table["k"].to_numpy()))
    table["interval"] = f"{METHOD}, {analysis['bootstrap']} replicates, {100 * analysis['level']:g}%"
    return table, boot


def budget_ks(n: int) -> list:
    """The ks worth a costly estimate: powers of two up to n, and n."""
    return sorted({2 ** i for i in range(int(np.log2(n)) + 1)} | {n})


def selected_table(probes: pd.DataFrame, n: int, analysis: dict) -> pd.DataFrame:
    """selected@k at budget_ks(n), with a bootstrap interval over problems.
    `probes`: one row per sample with task_id, examples_passed, signature, correct."""
    rng = np.random.default_rng(analysis["seed"])
    ks = budget_ks(n)
    per_problem = np.stack([
        selection.selected_at_k(g["examples_passed"].to_numpy()[:n], list(g["signature"])[:n],
                                g["correct"].to_numpy(dtype=float)[:n], ks, analysis["selection_subsets"], rng)
        for _, g in probes.sort_values(["task_id", "sample_index"]).groupby("task_id", sort=False)])
    lo, hi = interval(bootstrap_curves(per_problem, analysis["bootstrap"], analysis["seed"]), analysis["level"])
    return pd.DataFrame({"k": ks, "selected_at_k": per_problem.mean(axis=0), "selected_at_k_lo": lo,
                         "selected_at_k_hi": hi})


def fit_rows(cell: str, table: pd.DataFrame, boot: np.ndarray, analysis: dict) -> list:
    """The scaling fit of one cell: its parameters and goodness, its
    held-out validation, and its extrapolations with intervals."""
    point = table["pass_at_k"].to_numpy()
    n = len(point)
    targets = sorted({k for k in analysis["extrapolate_to"] if k > n})
    law, pred, lo, hi = fits.fit_with_intervals(point, boot, targets or [n], analysis["level"])
    if law is None:
        return [{"cell": cell, "fit": "none: fewer than two ks with 0 < pass@k < 1"}]
    row = {"cell": cell, "fit": fits.LAW, "a": law.a, "b": law.b, "r2": law.r2, "rmse": law.rmse,
           "fitted_k_max": n}
    held_out = fits.validate(point, boot, analysis["fit_fraction"], analysis["level"])
    if held_out:
        k_fit, v_pred, v_lo, v_hi, observed = held_out
        row.update({"validation_fit_k_max": k_fit, "validation_k": n, "validation_predicted": v_pred,
                    "validation_lo": v_lo, "validation_hi": v_hi, "validation_observed": observed,
                    "validation_error": v_pred - observed})
    rows = [row]
    for k, p, low, high in zip(targets, pred, lo, hi):
        rows.append({"cell": cell, "fit": "extrapolation", "k": k, "predicted": p, "predicted_lo": low,
                     "predicted_hi": high})
    return rows


def crossing_rows(cell: str, table: pd.DataFrame, boot: np.ndarray, analysis: dict, references: list, used: dict,
                  model: dict) -> list:
    """Per reference (passgrid.analysis.references; per metric: oracle pass@k, selected@k): the smallest
    k whose estimate reaches the reference's pass@1, with the range its
    interval allows, and what those k cost. Beyond the sampled budget the k
    comes from the scaling fit, and says so."""
    n = int(table["k"].max())
    rows = []
    for ref in references:
        for metric in ("pass_at_k", "selected_at_k"):
            if metric not in table or table[metric].isna().all():
                continue
            known = table.dropna(subset=[metric])
            ks = known["k"].to_numpy()
            k_point = _first_k(ks, known[metric], ref["pass_at_1"])
            k_soon = _first_k(ks, known[f"{metric}_hi"], ref["pass_at_1"])  # optimistic end of the interval
            k_late = _first_k(ks, known[f"{metric}_lo"], ref["pass_at_1"])  # pessimistic end
            how = "measured"
            if k_point is None and metric == "pass_at_k":
                k_point, k_soon, k_late = _extrapolated_budget(table["pass_at_k"].to_numpy(), boot, ref["pass_at_1"],
                                                               analysis["level"])
                how = "extrapolated by the scaling fit" if k_point is not None else "not reached"
            elif k_point is None:
                how = "not reached"
            row = {"cell": cell, "reference": ref["name"], "reference_kind": ref["kind"],
                   "reference_pass_at_1": ref["pass_at_1"],
                   "metric": metric.replace("_at_k", "@k"), "k_needed": k_point, "k_needed_low": k_soon,
                   "k_needed_high": k_late, "how": how, "budget_sampled": n}
            if k_point is not None and np.isfinite(k_point):
                for end, k in (("", k_point), ("_low", k_soon), ("_high", k_late)):
                    if k is not None and np.isfinite(k):
                        row.update({f"{unit}{end}": value for unit, value in
                                    costs.cost_at_k(used, model, n, float(k)).items() if value is not None})
            rows.append(row)
    return rows


def _first_k(ks, values, target):
    hit = np.flatnonzero(np.asarray(values) >= target)
    return int(ks[hit[0]]) if len(hit) else None


def _extrapolated_budget(point, boot, target, level):
    law = fits.fit_power_law(point)
    if law is None:
        return None, None, None
    budgets = [f.budget_for(target) for f in (fits.fit_power_law(r) for r in boot) if f]
    if not budgets:
        return law.budget_for(target), None, None
    tail = (1.0 - level) / 2 * 100  # nearest rank: budgets may be infinite
    low, high = np.percentile(budgets, [tail, 100 - tail], method="nearest")
    return law.budget_for(target), float(low), float(high)
