"""Where a cell reaches a reference's pass@1: from the measured curve within
the samples drawn, for the point and every replicate; beyond, from the
power law, only above n and up to the horizon; the reference compared on
the cell's own problems, or marked where it cannot be."""
import numpy as np
import pandas as pd
import pytest

from passgrid.analysis.costs import Pricing
from passgrid.analysis.crossings import BEYOND, EXTRAPOLATED, FIT_WITHIN, MEASURED, NOT_REACHED, _k_needed, crossing_rows
from passgrid.analysis.references import all_references
from passgrid.analysis.uncertainty import pass_at_k_with_interval, posterior_weights, with_unseen
from passgrid.grid.schema import AnalysisConfig, ReferenceConfig

ANALYSIS = AnalysisConfig(level=0.95, bootstrap=400, seed=0, horizon=10)
USED = {"prompt_tokens": 0, "completion_tokens": 0, "sampling_seconds": 0.0}
MODEL = Pricing()
ON = {"dataset": "humaneval", "problems": 40}


def counts(rng, problems: int, n: int, rates) -> pd.DataFrame:
    return pd.DataFrame({"task_id": [f"t/{i}" for i in range(problems)], "n": n, "c": rng.binomial(n, rates)})


def cited(pass_at_1: float, **declared) -> list:
    return all_references([ReferenceConfig(name="R", pass_at_1=pass_at_1, source="cited", **declared)], [])


def rows_of(per_problem, references, reference_counts=None, on=ON):
    table, boot = pass_at_k_with_interval(per_problem, ANALYSIS.level, ANALYSIS.bootstrap, ANALYSIS.seed)
    return crossing_rows("c", table, {"pass_at_k": boot}, per_problem, ANALYSIS, references, reference_counts or {}, on, USED, MODEL)


def test_within_the_budget_the_point_and_every_replicate_come_from_the_measured_curve():
    rng = np.random.default_rng(1)
    per_problem = counts(rng, 40, 100, rng.beta(0.5, 2, 40))
    [row] = rows_of(per_problem, cited(0.3, dataset="humaneval", problems=40))
    table, boot = pass_at_k_with_interval(per_problem, 0.95, 400, 0)
    assert row["how"] == MEASURED and row["k_needed"] == table["k"][table["pass_at_k"] >= 0.3].iloc[0]
    firsts = [int(np.argmax(r >= 0.3)) + 1 for r in boot if (r >= 0.3).any()]
    assert row["k_needed_low"] == np.percentile(firsts, 2.5, method="nearest")
    assert row["k_needed_low"] <= row["k_needed"] <= row["k_needed_high"] <= 100


def test_a_plateau_is_never_crossed_below_the_budget_by_the_fit():
    """A fifth of the problems never solved: the curve flattens below 0.8;
    the power law, which keeps climbing, would put a target of 0.85 below
    n = 100. The crossing is beyond n, never at a k the data contradicts."""
    rng = np.random.default_rng(2)
    rates = np.where(np.arange(100) < 20, 0.0, rng.beta(1, 3, 100))
    per_problem = counts(rng, 100, 100, rates)
    table, _ = pass_at_k_with_interval(per_problem, 0.95, 400, 0)
    target = 0.85
    assert table["pass_at_k"].max() < target
    [row] = rows_of(per_problem, cited(target))
    assert row["how"] in (EXTRAPOLATED, BEYOND, FIT_WITHIN) and row["k_needed"] > 100
    _, boot = pass_at_k_with_interval(per_problem, 0.95, 400, 0)
    measured = {int(np.argmax(r >= target)) + 1 for r in boot if (r >= target).any()}  # replicates that reach it
    for end in (row["k_needed_low"], row["k_needed_high"]):
        assert end > 100 or end in measured


def test_no_crossing_is_placed_past_the_horizon():
    """SmolLM2-like: 8 samples, a slow curve; GPT-4's pass@1 lies at k = 1e21
    by the fit. passgrid says beyond the horizon, in words."""
    rng = np.random.default_rng(3)
    per_problem = counts(rng, 24, 8, rng.beta(0.1, 3, 24))
    [row] = rows_of(per_problem, cited(0.942))
    assert row["how"] == BEYOND and row["horizon"] == 80
    assert not np.isfinite(row["k_needed"]) and not np.isfinite(row["k_needed_high"])
    assert all(k == float("inf") or k <= 80 for k in (row["k_needed"], row["k_needed_low"], row["k_needed_high"]))


def test_a_measured_reference_is_compared_on_the_cells_problems_with_joint_replicates():
    """The reference's pass@1 recomputed on the cell's 10 of its 20 problems;
    its range follows both from one resampling of the problems."""
    rng = np.random.default_rng(4)
    reference = counts(rng, 20, 10, np.r_[np.full(10, 0.9), np.full(10, 0.1)])
    per_problem = counts(rng, 10, 50, rng.beta(1, 2, 10))
    measured = [{"name": "R", "pass_at_1": float((reference["c"] / reference["n"]).mean()), "pass_at_1_lo": 0.3,
                 "pass_at_1_hi": 0.7, "kind": "measured", "cell": "r", "source": "measured"}]
    [row] = rows_of(per_problem, measured, {"R": reference})
    on_its_problems = float((reference["c"][:10] / reference["n"][:10]).mean())
    assert row["reference_pass_at_1"] == pytest.approx(on_its_problems) and row["same_problems"]
    assert row["reference_pass_at_1"] != pytest.approx(measured[0]["pass_at_1"])
    weights = posterior_weights(10, 400, 0)
    targets = weights @ with_unseen((reference["c"][:10] / reference["n"][:10]).to_numpy())
    assert targets.std() > 0.01  # the reference's own uncertainty is in the replicates
    # and in the row: its range is not the one a fixed target gives
    [fixed] = rows_of(per_problem, cited(row["reference_pass_at_1"]))
    assert (row["k_needed_low"], row["k_needed_high"]) != (fixed["k_needed_low"], fixed["k_needed_high"])


def test_a_cited_reference_on_other_problems_is_marked():
    rng = np.random.default_rng(5)
    per_problem = counts(rng, 40, 20, rng.beta(1, 1, 40))
    [other] = rows_of(per_problem, cited(0.5, dataset="humaneval", problems=164))
    [same] = rows_of(per_problem, cited(0.5, dataset="humaneval", problems=40))
    [undeclared] = rows_of(per_problem, cited(0.5))
    assert not other["same_problems"] and same["same_problems"] and not undeclared["same_problems"]
    assert other["reference_measured_on"] == "humaneval, 164 problems"


def test_a_references_own_cost_is_carried_where_known_and_unknown_said():
    rng = np.random.default_rng(6)
    per_problem = counts(rng, 40, 20, rng.beta(1, 1, 40))
    [priced] = rows_of(per_problem, cited(0.5, cost_usd_per_problem=0.002))
    [unpriced] = rows_of(per_problem, cited(0.5))
    assert priced["reference_cost_usd"] == pytest.approx(0.08) and unpriced["reference_cost_usd"] is None
    from passgrid.report.tables import crossing_table

    shown = crossing_table(pd.DataFrame([priced, unpriced]))["reference's US$ at k=1"].tolist()
    assert shown == ["0.08", "unknown"]


def test_where_the_fit_would_cross_within_n_it_is_not_used():
    """A curve flattening at 0.8: the power law, which keeps climbing, puts
    0.81 at k = 69 of the 100 drawn, where the data stays below it."""
    k = np.arange(1, 101)
    curve = 0.8 * (1 - np.exp(-k / 8))
    assert _k_needed(curve, 0.81, 100, 1000) == (float("inf"), FIT_WITHIN)
    assert _k_needed(curve, 0.85, 100, 1000)[1] == EXTRAPOLATED
    assert _k_needed(curve, 0.95, 100, 1000) == (float("inf"), BEYOND)  # the fit says 1293: past 10 x 100
    assert _k_needed(curve, 0.5, 100, 1000)[1] == MEASURED


def test_selected_at_k_is_crossed_at_every_k_and_never_extrapolated():
    """selected@k is known at every k: its crossing is the first k that
    reaches the target (here 37, no power of two), and one it never reaches
    within n is not placed beyond it."""
    rng = np.random.default_rng(7)
    per_problem = counts(rng, 40, 100, rng.beta(0.5, 2, 40))
    table, boot = pass_at_k_with_interval(per_problem, 0.95, 400, 0)
    selected = 0.6 * table["pass_at_k"].to_numpy()  # a pick worse than the oracle, whatever its form
    target = float(selected[36])
    table = table.assign(selected_at_k=selected)
    rows = crossing_rows("c", table, {"pass_at_k": boot, "selected_at_k": 0.6 * boot}, per_problem, ANALYSIS,
                         cited(target), {}, ON, USED, MODEL)
    by_metric = {r["metric"]: r for r in rows}
    assert by_metric["selected@k"]["k_needed"] == 37 and by_metric["selected@k"]["how"] == MEASURED
    assert by_metric["selected@k"]["k_needed_low"] <= 37 <= by_metric["selected@k"]["k_needed_high"]
    [high] = [r for r in crossing_rows("c", table, {"pass_at_k": boot, "selected_at_k": 0.6 * boot}, per_problem,
                                       ANALYSIS, cited(0.99), {}, ON, USED, MODEL) if r["metric"] == "selected@k"]
    assert high["how"] == NOT_REACHED and not np.isfinite(high["k_needed"])
