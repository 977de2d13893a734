import itertools
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.special import betaln

from passgrid.analysis import fits, forecast, selection
from passgrid.analysis.costs import Pricing
from passgrid.analysis.crossings import EXTRAPOLATED, crossing_rows
from passgrid.analysis.curves import cell_curves, fit_rows
from passgrid.analysis.references import all_references
from passgrid.analysis.uncertainty import pass_at_k_with_interval
from passgrid.grid.schema import AnalysisConfig, ReferenceConfig
from passgrid.sample import Sample

ANALYSIS = AnalysisConfig(level=0.95, bootstrap=1000, seed=0, fit_fraction=0.25, extrapolate_to=[1000, 10000], horizon=100,
                          selection_orders=50, references=[ReferenceConfig(name="Ref", pass_at_1=0.7, source="test")])
USED = {"prompt_tokens": 164 * 100, "completion_tokens": 164 * 200 * 50, "sampling_seconds": 360.0}
VLLM = Pricing(gpus=2, params_b=8, price_per_gpu_hour=2.0)  # a vLLM model on two GPUs


def per_problem(m=164, n=200, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"task_id": [f"t/{i}" for i in range(m)], "n": n,
                         "c": rng.binomial(n, rng.beta(0.3, 0.6, size=m))})


def test_intervals_hold_the_estimate_and_shrink_with_more_problems():
    small, _ = pass_at_k_with_interval(per_problem(m=40), 0.95, 1000, 0)
    large, _ = pass_at_k_with_interval(per_problem(m=640), 0.95, 1000, 0)
    for t in (small, large):
        assert (t["pass_at_k_lo"] <= t["pass_at_k"]).all() and (t["pass_at_k"] <= t["pass_at_k_hi"]).all()
    width = lambda t: float((t["pass_at_k_hi"] - t["pass_at_k_lo"]).iloc[0])  # noqa: E731
    assert width(large) < width(small) / 2  # ~ 1/sqrt(problems)
    again, _ = pass_at_k_with_interval(per_problem(m=40), 0.95, 1000, 0)
    pd.testing.assert_frame_equal(small, again)  # seeded: reproducible
    narrow, _ = pass_at_k_with_interval(per_problem(m=40), 0.5, 1000, 0)
    assert width(narrow) < width(small)


def test_at_k_equal_n_the_interval_is_jeffreys_and_holds_the_bounds():
    """At k = n each problem is solved or not: the interval is Jeffreys' for
    x of 24, and with all 24 solved it still has width (ending at 1)."""
    from scipy.stats import beta

    for solved in (0, 3, 24):
        counts = pd.DataFrame({"task_id": range(24), "n": 8, "c": [2] * solved + [0] * (24 - solved)})
        table, _ = pass_at_k_with_interval(counts, 0.95, 4000, 0)
        lo, hi = table[["pass_at_k_lo", "pass_at_k_hi"]].iloc[-1]
        jeffreys = beta.ppf([0.025, 0.975], solved + 0.5, 24 - solved + 0.5)
        assert lo == 0.0 if solved == 0 else lo == pytest.approx(jeffreys[0], abs=0.01)  # widened to hold 0 of 24
        assert hi == 1.0 if solved == 24 else hi == pytest.approx(jeffreys[1], abs=0.01)
    assert 0.85 < lo < 0.95  # 24 of 24: a problem in ten may still be never solved


NEAR = {"mid-range": lambda rng, size: rng.beta(2, 2, size),
        "near 0": lambda rng, size: rng.beta(0.3, 8, size),
        "near 1, a twentieth never solved": lambda rng, size: np.where(rng.random(size) < 0.05, 0.0,
                                                                     rng.beta(4, 0.5, size))}


@pytest.mark.system
@pytest.mark.parametrize("rates", NEAR.values(), ids=NEAR.keys())
def test_intervals_cover_the_populations_pass_at_k_in_a_small_simulation(rates):
    """The small version of bench/interval_coverage.py: 24 problems, n = 8,
    300 runs; coverage of 95 % intervals (as printed, to 0.1 point) within
    0.95 +- 3 Monte Carlo errors. The plain bootstrap over problems covered
    0.68 to 0.71 at k = 8 (mid-range, near 1): once every problem is solved
    its interval is [1, 1]."""
    rng = np.random.default_rng(7)
    ks = [1, 2, 8]
    truth = np.array([np.mean(1 - (1 - rates(rng, 1_000_000)) ** k) for k in ks])
    covered = np.zeros(len(ks))
    for run in range(300):
        counts = pd.DataFrame({"task_id": range(24), "n": 8, "c": rng.binomial(8, rates(rng, 24))})
        table, _ = pass_at_k_with_interval(counts, 0.95, 1000, run)
        at = table.set_index("k").loc[ks]
        covered += (at["pass_at_k_lo"] - 0.0005 <= truth) & (truth <= at["pass_at_k_hi"] + 0.0005)
    assert ((covered / 300 >= 0.91) & (covered / 300 <= 0.99)).all(), covered / 300


def test_power_law_fit_recovers_a_known_law_and_inverts():
    k = np.arange(1, 301)
    law = fits.fit_power_law(np.exp(-1.3 * k ** -0.4))
    assert law.a == pytest.approx(1.3) and law.b == pytest.approx(-0.4) and law.r2 == pytest.approx(1.0)
    assert law.budget_for(float(law.predict(77))) == pytest.approx(77)
    assert fits.fit_power_law(np.zeros(50)) is None  # nothing solved: nothing to fit
    flat = fits.fit_power_law(np.full(50, 0.3) + np.linspace(0, 1e-9, 50))
    assert flat.budget_for(0.9) == float("inf")


def grid_from_beta(alpha, beta, m=200, n=200, seen=50, seed=1):
    """A cell's counts from a known Beta of success rates: all n samples, and
    each problem's first `seen` (what a held-out forecaster may look at)."""
    rng = np.random.default_rng(seed)
    draws = rng.random((m, n)) < rng.beta(alpha, beta, size=m)[:, None]
    ids = [f"t/{i}" for i in range(m)]
    return (pd.DataFrame({"task_id": ids, "n": n, "c": draws.sum(axis=1)}),
            pd.DataFrame({"task_id": ids, "n": seen, "c": draws[:, :seen].sum(axis=1)}))


def forecasters(counts, held_out, analysis=ANALYSIS):
    table, replicates = cell_curves(counts, analysis, USED, VLLM)
    rows = fit_rows("c", table, replicates["pass_at_k"], analysis, counts, held_out)
    return table, {r["fit"]: r for r in rows if r["fit"] != "extrapolation"}, [r for r in rows if r["fit"] == "extrapolation"]


@pytest.mark.system
def test_both_forecasters_are_validated_alike_from_each_problems_first_samples():
    counts, held_out = grid_from_beta(0.8, 1.2)
    table, fitted, extrapolations = forecasters(counts, held_out)
    assert set(fitted) == {fits.LAW, forecast.BETA, forecast.ZIBETA}
    for row in fitted.values():
        assert row["replicates_fitted"] == ANALYSIS.bootstrap  # every replicate has a spread (the unseen problems give it one)
        assert row["validation_fit_samples"] == 50 and row["validation_k"] == 200
        assert row["validation_lo"] <= row["validation_predicted"] <= row["validation_hi"]
        assert row["validation_error"] == pytest.approx(row["validation_predicted"] - table["pass_at_k"].iloc[-1])
        assert abs(row["validation_error"]) < 0.05
    assert sorted((e["forecaster"], e["k"]) for e in extrapolations) == sorted(
        (f, k) for f in (fits.LAW, forecast.BETA, forecast.ZIBETA) for k in (1000, 10000, 20000))  # and the horizon
    assert all(e["predicted_lo"] <= e["predicted"] <= e["predicted_hi"] for e in extrapolations)
    assert all(e["predicted"] > table["pass_at_k"].iloc[-1] for e in extrapolations if e["k"] == 1000)
    _, _, within = forecasters(counts, held_out, analysis=replace(ANALYSIS, horizon=10))
    assert {e["k"] for e in within} == {1000, 2000}  # 10000 is past the horizon, 10 x 200 samples: left out


@pytest.mark.parametrize("alpha,beta,rel", [(0.8, 1.2, 0.15), (2.0, 0.5, 0.15),
                                            (0.1, 1.5, 0.3)])  # β is loosely pinned when most rates are near 0
def test_the_beta_forecaster_recovers_the_distribution_it_was_drawn_from(alpha, beta, rel):
    counts, _ = grid_from_beta(alpha, beta, m=400)
    fit = forecast.fit_beta(counts["n"], counts["c"])
    assert fit.alpha == pytest.approx(alpha, rel=rel) and fit.beta == pytest.approx(beta, rel=rel)
    k = np.array([1, 10, 100])
    truth = 1 - np.exp(betaln(alpha, beta + k) - betaln(alpha, beta))
    assert fit.predict(k) == pytest.approx(truth, abs=0.03)
    assert forecast.fit_beta([10, 10], [0, 0]) is None  # nothing solved: no spread to fit


def test_the_forecasters_reach_the_likelihoods_maximum_found_without_their_gradients():
    """The fits use the likelihoods' analytic gradients: each lands where a
    search that uses none (Nelder-Mead on the same likelihood) does."""
    from scipy.optimize import minimize
    from scipy.special import expit

    rng = np.random.default_rng(3)
    n = np.full(60, 20.0)
    c = rng.binomial(20, np.where(np.arange(60) < 10, 0.0, rng.beta(0.7, 2, 60))).astype(float)
    w = rng.gamma(1.0, size=60)  # a replicate's weights

    def beta_ll(a, b):
        return betaln(c + a, n - c + b) - betaln(a, b)

    def zib_nll(t):
        never, (a, b) = expit(t[0]), np.exp(t[1:])
        solvable = np.log1p(-never) + beta_ll(a, b)
        return -float(w @ np.where(c == 0, np.logaddexp(np.log(never), solvable), solvable))

    plain = forecast.fit_beta(n, c, w)
    free = minimize(lambda t: -float(w @ beta_ll(*np.exp(t))), [0.0, 0.0], method="Nelder-Mead",
                    options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 5000})
    assert plain.loglik == pytest.approx(-free.fun, abs=1e-6)
    inflated = forecast.fit_zero_inflated_beta(n, c, w)
    free = minimize(zib_nll, [0.0, 0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-12,
                                                                              "maxiter": 10000})
    assert inflated.loglik == pytest.approx(-free.fun, abs=1e-6)
    assert inflated.never == pytest.approx(expit(free.x[0]), abs=1e-3)


def test_with_problems_never_solved_the_zero_inflated_beta_does_not_overshoot():
    """A fifth of the problems can never be solved, the rest's rates
    Beta(0.5, 3): fitted on 100 samples, the Beta's tail near 0 keeps its
    forecast of pass@10000 climbing towards 1; the zero-inflated Beta finds
    the fifth and stays near the truth (0.8 x the rest's pass@10000)."""
    rng = np.random.default_rng(7)
    m, n = 400, 100
    rates = np.where(np.arange(m) < m // 5, 0.0, rng.beta(0.5, 3, m))
    counts = pd.DataFrame({"task_id": range(m), "n": n, "c": rng.binomial(n, rates)})
    k = np.array([10_000])
    truth = 0.8 * (1 - np.exp(betaln(0.5, 3 + k) - betaln(0.5, 3)))
    plain = forecast.fit_beta(counts["n"], counts["c"])
    inflated = forecast.fit_zero_inflated_beta(counts["n"], counts["c"])
    assert inflated.never == pytest.approx(0.2, abs=0.05)
    assert abs(inflated.predict(k) - truth)[0] < 0.03 < (plain.predict(k) - truth)[0]
    assert forecast.from_row({"fit": forecast.ZIBETA, **inflated.params()}).predict(k) == pytest.approx(inflated.predict(k))
    assert forecast.fit_zero_inflated_beta([10, 10], [0, 0]) is None


@pytest.mark.system
def test_on_a_heavy_tailed_grid_the_beta_forecasts_the_held_out_budget_better():
    """Most problems almost never solved (Beta(0.1, 1.5)): pass@k keeps
    climbing slowly. Over eight grids drawn so, each forecaster fitted on the
    first 50 samples predicts pass@200: the power law overshoots, the Beta
    does not, and its error is smaller on average (seed by seed it need not be)."""
    errors = {fits.LAW: [], forecast.BETA: []}
    for seed in range(1, 9):
        _, fitted, _ = forecasters(*grid_from_beta(0.1, 1.5, seed=seed), analysis=replace(ANALYSIS, bootstrap=100))
        for name in errors:
            errors[name].append(fitted[name]["validation_error"])
    law, beta = np.array(errors[fits.LAW]), np.array(errors[forecast.BETA])
    assert np.abs(beta).mean() < 0.75 * np.abs(law).mean()
    assert law.mean() > 0.01 and abs(beta.mean()) < law.mean() / 2


def test_crossing_a_reference_gives_k_its_interval_and_cost():
    counts = per_problem()
    table, replicates = cell_curves(counts, ANALYSIS, USED, VLLM)
    on = {"dataset": "d", "problems": 164}
    [row] = crossing_rows("c", table, replicates, counts, ANALYSIS, all_references(ANALYSIS.references, []), {}, on,
                          USED, VLLM)
    k = row["k_needed"]
    assert table["pass_at_k"].iloc[k - 1] >= 0.7 > table["pass_at_k"].iloc[k - 2]
    assert row["k_needed_low"] <= k <= row["k_needed_high"] and row["how"] == "measured"
    # k of 200 samples' GPU time, on 2 GPUs at $2 per GPU-hour
    assert row["cost_usd"] == pytest.approx(360 * k / 200 * 2 / 3600 * 2.0)
    far_away = all_references([ReferenceConfig(name="Far", pass_at_1=0.93, source="test")], [])
    [far] = crossing_rows("c", table, replicates, counts, ANALYSIS, far_away, {}, on, USED, VLLM)
    assert far["how"] == EXTRAPOLATED and 200 < far["k_needed"] <= far["horizon"] == 100 * 200


def test_docstring_examples_become_literal_tests(problems):
    assert selection.docstring_examples(problems["HumanEval/0"]) == [
        (([1.0, 2.0, 3.0], 0.5), {}, False), (([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3), {}, True)]
    assert selection.docstring_examples(problems["HumanEval/2"]) == [((3.5,), {}, 0.5)]
    with_examples = [t for t, p in problems.items() if selection.docstring_examples(p)]
    assert len(with_examples) >= 120


def at_every_k(passed, signature, correct, orders=2):
    return selection.selected_curve(np.asarray(passed), signature, np.asarray(correct, dtype=float), orders,
                                    np.random.default_rng(0))[0]


def test_selection_prefers_example_passers_then_the_majority():
    passed = np.array([2, 2, 2, 0, 1])
    signature = ["a", "a", "b", "c", "d"]
    correct = np.array([1.0, 1.0, 0.0, 1.0, 0.0])
    # all five: the two that pass both examples and agree win
    assert at_every_k(passed, signature, correct)[-1] == 1.0
    # one sample: the pick is that sample, so selected@1 = pass@1
    assert at_every_k(passed, signature, correct)[0] == 0.6  # exactly, whatever the draws
    # a tie between groups is averaged
    assert at_every_k([1, 1], ["x", "y"], [1.0, 0.0])[-1] == 0.5


def test_samples_that_did_not_run_the_examples_take_no_part_in_the_vote():
    """Three timeouts agree on nothing: two samples that ran, each alone,
    split the pick; only where none of the k ran is the pick among all."""
    ran_right, ran_wrong = "0123456789abcdef", "fedcba9876543210"  # output signatures, as probes give them
    signature = ["timeout", "timeout", "timeout", ran_right, ran_wrong]
    passed, correct = np.zeros(5, dtype=int), np.array([0.0, 0.0, 0.0, 1.0, 0.0])
    assert at_every_k(passed, signature, correct)[-1] == 0.5
    assert at_every_k(passed[:3], signature[:3], correct[:3])[-1] == 0.0


def pick_by_brute_force(passed, signature, correct, k) -> float:
    """The rule as the module states it, over every k-subset: voters are the
    samples that ran (all, if none did); among those passing the most
    examples, the largest group(s) by signature; a random member of a random
    winner."""
    ran = [bool(selection._RAN.fullmatch(s)) for s in signature]
    values = []
    for subset in itertools.combinations(range(len(correct)), k):
        voters = [i for i in subset if ran[i]] or list(subset)
        most = max(passed[i] for i in voters)
        groups = {}
        for i in voters:
            if passed[i] == most:
                groups.setdefault(signature[i], []).append(i)
        size = max(len(g) for g in groups.values())
        winners = [g for g in groups.values() if len(g) == size]
        values.append(np.mean([np.mean([correct[i] for i in g]) for g in winners]))
    return float(np.mean(values))


def test_selected_at_every_k_matches_every_subset_within_its_monte_carlo_error():
    """A pool of 9 with a timeout, ties, two tiers and a group right only in
    part (the same outputs on the examples, not on the tests)."""
    a, b, c = "a" * 16, "b" * 16, "c" * 16
    signature = [a, a, a, b, b, c, "timeout", c, b]
    passed = np.array([2, 2, 2, 1, 1, 2, 0, 2, 1])
    correct = np.array([1, 0, 1, 1, 1, 0, 1, 0, 1], dtype=float)
    curve, variance = selection.selected_curve(passed, signature, correct, 20000, np.random.default_rng(3))
    exact = np.array([pick_by_brute_force(passed, signature, correct, k) for k in range(1, 10)])
    assert curve[0] == exact[0] and curve[-1] == pytest.approx(exact[-1], abs=1e-12)  # exact at k = 1 and n
    assert variance[0] == 0 and variance[-1] == pytest.approx(0, abs=1e-12)
    assert (np.abs(curve - exact) <= 4 * np.sqrt(variance) + 1e-12).all(), (curve, exact)
    assert (np.sqrt(variance[1:-1]) < 0.005).all()  # 20,000 orderings


def test_probes_run_the_examples_in_the_sandbox(problems):
    from passgrid.evaluation import Judging, judged
    from passgrid.execution.pool import Limits

    p = problems["HumanEval/2"]
    probe = {p.task_id: selection.probe_problem(p, selection.docstring_examples(p))}
    samples = [Sample(task_id=p.task_id, completion=body, sample_index=i) for i, body in
               enumerate(["    return number % 1.0\n", "    return number - int(number) + 0.0\n",
                          "    return 0.25\n", "    raise ValueError\n"])]
    records = judged(samples, probe, Judging(Limits(), 1), progress=False)
    found = [selection.read_probe(r) for r in records]
    assert [f[0] for f in found] == [1, 1, 0, 0]
    assert found[0][1] == found[1][1] != found[2][1] != found[3][1]  # equal outputs, equal signatures
    # returned as data: a digest per example, the raise named; not parsed from a message
    assert [r.behaviour.passed for r in records] == [1, 1, 0, 0]
    assert records[3].behaviour.outputs == ("raise ValueError",) and len(records[0].behaviour.outputs) == 1
    assert [r.outcome for r in records] == ["passed", "passed", "failed", "failed"]


def test_a_probes_behaviour_comes_back_from_the_verdict_cache(problems, tmp_path):
    from passgrid.evaluation import Judging, judged
    from passgrid.execution.pool import Limits

    p = problems["HumanEval/2"]
    probe = {p.task_id: selection.probe_problem(p, selection.docstring_examples(p))}
    samples = [Sample(task_id=p.task_id, completion="    return number % 1.0\n", sample_index=0)]
    judging = Judging(Limits(), 1, str(tmp_path / "cache.db"))
    [first], [again] = (judged(samples, probe, judging, progress=False) for _ in range(2))
    assert not first.cached and again.cached and again.behaviour == first.behaviour


def test_one_run_per_sample_gives_its_shown_and_written_verdicts_and_keeps_what_a_time_limit_cut_short(
        problems, monkeypatch):
    import passgrid.evaluation as evaluation
    from passgrid.evaluation import Judging, probe_verdicts
    from passgrid.execution.pool import Limits

    p = problems["HumanEval/2"]  # one shown example: truncate_number(3.5) == 0.5
    probed = selection.probes({p.task_id: p}, {p.task_id: [((1.25,), {}, 0.25), ((7.0,), {}, 0.0), ((2.5,), {}, 0.5)]})
    samples = [Sample(task_id=p.task_id, completion=body, sample_index=i) for i, body in enumerate([
        "    return number % 1.0\n", "    return 0.5\n",
        "    while number == 7.0:\n        pass\n    return number % 1.0\n",  # loops on the second written test
        "    while True:\n        pass\n"])]  # loops on the shown example
    runs, judge_samples = [], evaluation.judge_samples

    def counted(judged, *args, **kwargs):
        runs.extend(judged)
        return judge_samples(judged, *args, **kwargs)

    monkeypatch.setattr(evaluation, "judge_samples", counted)
    # the probe's limit: generous for a loaded machine's quick calls, short for a program that loops
    shown, written = probe_verdicts(samples, probed, Judging(Limits(probe_timeout_s=1.5), 1), progress=False)
    assert len(runs) == len(samples)  # one run each, for both
    assert [v.outcome for v in shown] == ["passed", "passed", "passed", "timeout"]
    assert [v.outcome for v in written] == ["passed", "failed", "timeout", "timeout"]
    assert [w.behaviour.right_on if w.behaviour else None for w in written] == [{0, 1, 2}, {2}, {0}, None]
    assert shown[2].behaviour == shown[0].behaviour and shown[3].behaviour is None
    assert all(s.duration_s == w.duration_s and s.program_sha256 == w.program_sha256 for s, w in zip(shown, written))


def test_a_split_probe_passes_each_part_on_its_own_inputs():
    from passgrid.verdicts import Behaviour, Outcome, Verdict

    probe = selection.Probe(None, 2, True)
    both = Behaviour.of(["a", "b", "c"], [True, True, False])
    shown, written = selection.split_probe(Verdict("t", 0, Outcome.FAILED, behaviour=both), probe)
    assert (shown.outcome, shown.behaviour.right, written.outcome, written.behaviour.right) == \
        ("passed", "11", "failed", "0")
    cut = Behaviour.of(["a"], [True])  # stopped inside the shown tests: neither part ran through
    shown, written = selection.split_probe(Verdict("t", 0, Outcome.TIMEOUT, behaviour=cut), probe)
    assert (shown.outcome, shown.ran_through, written.outcome, written.behaviour) == ("timeout", False, "timeout", None)
    assert selection.split_probe(Verdict("t", 0, Outcome.PASSED), selection.Probe(None, 0, True))[0] is None


def test_the_vote_groups_samples_by_their_outputs_on_the_written_tests_too():
    from passgrid.analysis.strategies import strategy
    from passgrid.analysis.strategies.pools import pools, probe_frame
    from passgrid.verdicts import Behaviour, Outcome, Verdict

    verdicts = [Verdict("t", i, Outcome.PASSED if i == 0 else Outcome.FAILED) for i in range(3)]
    shown = [Verdict("t", i, Outcome.PASSED, behaviour=Behaviour.of(["0123456789abcdef"], [True])) for i in range(3)]
    written = [Verdict("t", i, Outcome.PASSED if i == 0 else Outcome.FAILED,
                       behaviour=Behaviour.of(["x" if i == 0 else "y"], [i == 0])) for i in range(3)]
    alone, joint = (pools(probe_frame(verdicts, shown, *extra), ["t"])[0] for extra in ((), (written, {"t": (1,)})))
    assert len(set(alone.signature)) == 1 and joint.signature[1] == joint.signature[2] != joint.signature[0]
    vote = strategy("selected")
    # agreeing on the shown example, any pick is right a third of the time; the
    # written input splits them, and the two that agree on it outvote the right one
    assert vote.curve(alone).value[-1] == pytest.approx(1 / 3) and vote.curve(joint).value[-1] == 0
    # where the statement shows no test, the written tests' outputs alone group them, and a
    # sample that ran on no input (it did not load) takes no part unless none ran
    did_not_load = Verdict("t", 2, Outcome.ERROR, "SyntaxError")
    unshown = pools(probe_frame(verdicts, [None] * 3, [*written[:2], did_not_load], {"t": (1,)}), ["t"])[0]
    assert unshown.signature[2] == "error" and vote.curve(unshown).value[-1] == pytest.approx(1 / 2)
    assert not vote.falls_back(unshown) and vote.falls_back(pools(probe_frame(verdicts, [None] * 3), ["t"])[0])


def test_a_probe_reads_from_its_verdicts_behaviour():
    from passgrid.verdicts import Behaviour, Outcome, Verdict

    behaviour = Behaviour(2, ("3e333ae0032d0893", "raise ValueError", "0123456789abcdef"))
    assert selection.read_probe(Verdict("t", 0, Outcome.FAILED, behaviour=behaviour)) == (2, behaviour.signature)
    assert selection.read_probe(Verdict("t", 0, Outcome.TIMEOUT, "time limit")) == (0, "timeout")


def test_a_measured_reference_stands_in_for_a_cited_one_of_its_name():
    from passgrid.analysis.references import measured_references

    summary = pd.DataFrame({"cell": ["ref", "ref", "c"], "k": [1, 2, 1], "pass_at_k": [0.8, 0.9, 0.1],
                            "pass_at_k_lo": [0.7, 0.85, 0.0], "pass_at_k_hi": [0.9, 0.95, 0.2], "n_problems": 20})
    measured = measured_references(summary, {"ref": "GPT-4"})
    assert measured == [{"name": "GPT-4", "pass_at_1": 0.8, "pass_at_1_lo": 0.7, "pass_at_1_hi": 0.9,
                         "kind": "measured", "cell": "ref", "source": "measured in this grid: cell ref, 20 problems",
                         "dataset": None, "problems": 20, "cost_usd_per_problem": None}]
    cited = [ReferenceConfig(name="GPT-4", pass_at_1=0.67, source="paper"), ReferenceConfig(name="GPT-4o", pass_at_1=0.9, source="x")]
    refs = all_references(cited, measured)
    assert [(r["name"], r["kind"], r["pass_at_1"]) for r in refs] == [("GPT-4", "measured", 0.8),
                                                                       ("GPT-4o", "cited", 0.9)]


def test_each_failing_sample_has_one_kind_and_a_cut_off_is_its_own():
    from passgrid.analysis.failures import failure_kind, reads_as_code

    code = "```python\ndef f():\n    return 1\n```"
    assert not reads_as_code("", "I cannot help") and not reads_as_code("    pass\n", "Sure! Here it is.")
    assert reads_as_code("\ndef f():\n    return 1\n", code)
    assert failure_kind("passed", "", True, "length") == "passed"
    assert failure_kind("error", "program: SyntaxError: x", False, "stop") == "no_code"
    assert failure_kind("error", "program: SyntaxError: '(' was never closed", True, "length") == "cut_off"
    assert failure_kind("error", "program: SyntaxError: invalid syntax", True, "stop") == "syntax_error"
    assert failure_kind("error", "NameError: name 'x' is not defined", True, "stop") == "runtime_error"
    assert failure_kind("timeout", "", True, "stop") == "timeout" and failure_kind("memory", "", True, None) == "memory"
    assert failure_kind("failed", "AssertionError", True, "stop") == "wrong_answer"


def test_what_keeps_problems_unsolved_sums_to_one_minus_pass_at_k():
    from passgrid.analysis.failures import KINDS, distinct_programs, unsolved_by_kind
    from passgrid.analysis.passk import pass_at_k_curve

    n = 6
    outcomes = pd.DataFrame(
        [{"task_id": "a", "kind": k, "program": f"a{i % 2}"} for i, k in
         enumerate(["passed", "wrong_answer", "wrong_answer", "cut_off", "wrong_answer", "passed"])]
        + [{"task_id": "b", "kind": "syntax_error", "program": "same"} for _ in range(n)]
        + [{"task_id": "c", "kind": "passed", "program": f"c{i}"} for i in range(n)])
    table = unsolved_by_kind(outcomes, n)
    pass_at_k = (pass_at_k_curve(n, 2) + pass_at_k_curve(n, 0) + pass_at_k_curve(n, n)) / 3
    assert table[[f"unsolved_{k}" for k in KINDS]].sum(axis=1).to_numpy() == pytest.approx(1 - pass_at_k)
    # problem a, unsolved by k=1 with chance 4/6, counts under its main failure; b is never solved
    assert table["unsolved_wrong_answer"].iloc[0] == pytest.approx(4 / 6 / 3)
    assert table["unsolved_syntax_error"].to_numpy() == pytest.approx(np.full(n, 1 / 3))
    assert table["unsolved_cut_off"].eq(0).all()
    # a: 2 programs, b: 1, c: 6 distinct; at k = n all are seen, at k = 1 exactly one
    diversity = distinct_programs(outcomes, n)
    assert diversity[0] == pytest.approx(1.0) and diversity[-1] == pytest.approx((2 + 1 + 6) / 3)
    assert (np.diff(diversity) >= 0).all()


def test_resampling_until_the_weak_tests_pass_is_capped_by_their_false_passes():
    from passgrid.analysis.passk import pass_at_k_curve
    from passgrid.analysis.weak_tests import resampling_until_weak_pass, weak_strong_counts

    # problem a: 4 of 10 pass the weak tests, 1 of those the strong ones; b: 5 pass both; c: none pass
    from passgrid.verdicts import Outcome, Verdict

    def verdict(task_id, i, passed):
        return Verdict(task_id, i, Outcome.PASSED if passed else Outcome.FAILED)

    weak = ([verdict("a", i, i < 4) for i in range(10)] + [verdict("b", i, i < 5) for i in range(10)]
            + [verdict("c", i, False) for i in range(10)])
    strong = [verdict(v.task_id, v.sample_index, v.passed and (v.task_id == "b" or v.sample_index == 0)) for v in weak]
    counts = weak_strong_counts(weak, strong)
    assert counts.set_index("task_id")[["n", "w", "b"]].to_dict("index") == {
        "a": {"n": 10, "w": 4, "b": 1}, "b": {"n": 10, "w": 5, "b": 5}, "c": {"n": 10, "w": 0, "b": 0}}
    table = resampling_until_weak_pass(counts)
    # k = 1: the first sample submitted if it passes: a right with 1/10, b with 5/10
    assert table["until_weak_pass_accuracy"].iloc[0] == pytest.approx((0.1 + 0.5) / 3)
    assert table["false_pass_at_k"].iloc[0] == pytest.approx(0.3 / 3)
    # k = n: a weak pass is always found where there is one; a stays right 1 time in 4, however many samples
    assert table["until_weak_pass_accuracy"].iloc[-1] == pytest.approx((0.25 + 1.0) / 3)
    assert table["false_pass_at_k"].iloc[-1] == pytest.approx(0.75 / 3)
    assert (np.diff(table["until_weak_pass_accuracy"]) >= -1e-12).all()
    # what is submitted is right or a false pass: pass@k by the weak tests, in all
    weak_pass_at_k = (pass_at_k_curve(10, 4) + pass_at_k_curve(10, 5)) / 3
    assert (table["until_weak_pass_accuracy"] + table["false_pass_at_k"]).to_numpy() == pytest.approx(weak_pass_at_k)


def test_selected_at_k_replicates_weigh_the_problems_as_pass_at_k_does():
    """Its replicates follow the cell's problem order, whatever order the
    probes come in: the same weights fall on the same problems."""
    rng = np.random.default_rng(9)
    counts = pd.DataFrame({"task_id": [f"t/{i}" for i in range(12)], "n": 6, "c": rng.integers(0, 7, 12)})
    probes = pd.DataFrame([{"task_id": t, "sample_index": i, "correct": i < c, "examples_passed": int(i < c),
                            "shown_passed": i < c, "shown": True,
                            "signature": ("a" if i < c else "b") * 16}
                           for t, c in zip(counts["task_id"], counts["c"]) for i in range(6)])
    analysis = replace(ANALYSIS, bootstrap=200)
    _, replicates = cell_curves(counts, analysis, USED, VLLM, probes)
    _, shuffled = cell_curves(counts, analysis, USED, VLLM, probes.sample(frac=1, random_state=1))
    np.testing.assert_array_equal(replicates["selected_at_k"], shuffled["selected_at_k"])
    # the pick is right exactly when a right sample is among the k: at k = 1 and n, where selected@k is
    # exact, it is pass@k, replicate by replicate
    for k in (0, -1):
        np.testing.assert_allclose(replicates["selected_at_k"][:, k], replicates["pass_at_k"][:, k], atol=1e-12)


def test_each_strategys_pick_is_judged_by_the_stronger_tests_too():
    """Two problems, 4 samples each. t/0: the two samples that pass its
    shown example pass the dataset's tests, and only one the stronger ones;
    t/1: no sample passes the stronger tests. Filtering's pick at k = 4 is
    right half the time on t/0 under the stronger tests, never on t/1."""
    rows = []
    for task, correct, strong, passers in (("t/0", [1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]),
                                           ("t/1", [1, 0, 0, 0], [0, 0, 0, 0], [1, 1, 1, 0])):
        rows += [{"task_id": task, "sample_index": i, "correct": bool(correct[i]), "strong_correct": bool(strong[i]),
                  "examples_passed": passers[i], "shown_passed": bool(passers[i]), "shown": True,
                  "signature": ("a" if passers[i] else "b") * 16} for i in range(4)]
    probes = pd.DataFrame(rows)
    counts = pd.DataFrame({"task_id": ["t/0", "t/1"], "n": 4, "c": [2, 1]})
    table, _ = cell_curves(counts, replace(ANALYSIS, bootstrap=50), USED, VLLM, probes)
    last = table.iloc[-1]
    assert last["filter_at_k"] == pytest.approx((1 + 1 / 3) / 2, abs=1e-12)
    assert last["strong_filter_at_k"] == pytest.approx((1 / 2 + 0) / 2, abs=1e-12)
    assert last["strong_first_pass_at_k"] == last["strong_filter_at_k"]
    assert (table["strong_selected_at_k"] <= table["selected_at_k"] + 1e-12).all()
    assert "strong_codet_at_k" not in table  # no written tests
