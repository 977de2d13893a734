"""One line per figure, computed from the numbers it shows."""
import numpy as np
import pandas as pd

from passgrid.analysis.columns import SELECTING
from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.curves import MIN_FORECAST_SAMPLES
from passgrid.analysis.failures import KINDS
from passgrid.analysis.fits import LAW
from passgrid.analysis.forecast import BETA, FORECASTERS, ZIBETA
from passgrid.analysis.references import measured_interval, measured_on
from passgrid.analysis.strategies import strategy
from passgrid.analysis.uncertainty import COVERAGE, METHOD

SAID = {LAW: "the power law", BETA: "the Beta", ZIBETA: "the zero-inflated Beta"}  # the forecasters, in a sentence


def pct(x) -> str:
    return f"{100 * x:.1f}%"


def reading_pass_at_k(summary: pd.DataFrame, level: float) -> str:
    parts = []
    for cell, rows in summary.groupby("cell", sort=False):
        n = int(rows["k"].max())
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(f"{cell} goes from {pct(first['pass_at_k'])} at k=1 to {pct(last['pass_at_k'])} "
                     f"[{pct(last['pass_at_k_lo'])}, {pct(last['pass_at_k_hi'])}] at k={n}")
    return "; ".join(parts) + f" (bands: {100 * level:g}% intervals, {METHOD}: {COVERAGE})."


def reading_cost(summary: pd.DataFrame, unit: str) -> str:
    last = summary.groupby("cell", sort=False).tail(1)
    best = last.loc[last["pass_at_k"].idxmax()]
    cheapest = last.loc[last[unit].idxmin()]
    bases = last.groupby(f"{unit}_basis", sort=False)["cell"].apply(list) if f"{unit}_basis" in last else {}
    said = "; ".join(f"{', '.join(cells)}: {text}" for text, cells in bases.items())
    return (f"At its full budget, {best['cell']} scores highest ({pct(best['pass_at_k'])} for "
            f"{best[unit]:.3g} {COST_UNITS[unit]}); {cheapest['cell']} costs least "
            f"({cheapest[unit]:.3g} {COST_UNITS[unit]} for {pct(cheapest['pass_at_k'])}). "
            f"Basis: {said or 'not recorded'}.")


def reading_fits(fits: pd.DataFrame, level: float = 0.95) -> str:
    """Per cell: each forecaster's forecast of pass@n from the first m
    samples, against the measurement; which came closer only where the two
    errors differ by more than their bootstrap spread."""
    fitted = fits[fits["fit"].isin([LAW, *FORECASTERS])]
    if fitted.empty:
        return "No cell has enough partly solved problems to fit either forecaster."
    parts = []
    for cell, group in fitted.groupby("cell", sort=False):
        held = group.dropna(subset=["validation_predicted"]) if "validation_predicted" in group else group.iloc[:0]
        if held.empty:
            parts.append(f"{cell}: no forecast of pass@n to check (it needs at least {MIN_FORECAST_SAMPLES} samples per "
                         "problem before n, and some problems partly solved in them)")
            continue
        first = held.iloc[0]
        said = [f"{SAID[r.fit]} forecasts {pct(r.validation_predicted)} "
                f"(error {100 * r.validation_error:+.1f} points)" for r in held.itertuples()]
        text = (f"{cell}: a forecast of pass@{int(first['validation_k'])} from each problem's first "
                f"{int(first['validation_fit_samples'])} samples, against {pct(first['validation_observed'])} "
                "measured: " + ", ".join(said))
        if len(held) >= 2:
            text += "; " + _closer(held.set_index("fit"), level)
        parts.append(text)
    return ("; ".join(parts) + ". Solid: power law, dashed: Beta over problems, dotted: zero-inflated Beta; crosses, "
            "pluses and tripods: the forecasts of pass@n; squares, diamonds and triangles: extrapolations, whose "
            "intervals hold only if the forecaster's form does.")


def _closer(held: pd.DataFrame, level: float) -> str:
    """The forecaster that came closest, where its error beats every other's
    by more than the two's bootstrap spread at `level` (each forecast's
    interval taken as ± z standard errors, the two as independent: a wider
    spread than their correlated difference, as both are measured against
    the same pass@n, so the rule rather names none than the worse)."""
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + level / 2)
    errors = held["validation_error"].abs()
    se = (held["validation_hi"] - held["validation_lo"]) / (2 * z)
    best = errors.idxmin()
    spreads = {other: z * np.hypot(se[best], se[other]) for other in errors.index if other != best}
    if all(errors[other] - errors[best] > spread for other, spread in spreads.items()):
        return f"closest: {SAID[best]}"
    return (f"none is closer than the others beyond their bootstrap spread (±{100 * max(spreads.values()):.1f} "
            "points at most)")


def strategy_rows(summary: pd.DataFrame) -> pd.Series:
    """Which rows hold a strategy's value (any of them: a dataset that shows
    no test has no filter or vote, but may have CodeT or log-probabilities)."""
    columns = [f"{name}_at_k" for name in SELECTING if f"{name}_at_k" in summary]
    return summary[columns].notna().any(axis=1) if columns else pd.Series(False, index=summary.index)


def reading_selection(summary: pd.DataFrame) -> str:
    parts = []
    for cell, rows in summary[strategy_rows(summary)].groupby("cell", sort=False):
        last = rows.iloc[-1]
        picks = ", ".join(f"{pct(last[f'{name}_at_k'])} by {strategy(name).title}{_fallbacks(last, name)}"
                          for name in SELECTING if pd.notna(last.get(f"{name}_at_k")))
        drawn = "".join(f" ({strategy(name).title} draws {last[f'{name}_drawn']:.1f} of them on average)"
                        for name in SELECTING if pd.notna(last.get(f"{name}_drawn")))
        parts.append(f"{cell}: with k={int(last['k'])} samples, a submission is right {picks}, against "
                     f"{pct(last['pass_at_k'])} with an oracle{drawn}")
    return "; ".join(parts) + "." if parts else "No selection results."


def _fallbacks(last: pd.Series, name: str) -> str:
    """' (falling back on N of M problems)' where a strategy lacked what it
    needs on some (its module says how it falls back)."""
    count = last.get(f"{name}_fallback_problems")
    return "" if count is None or pd.isna(count) or count == 0 else \
        f" (falling back on {int(count)} of {int(last['n_problems'])} problems)"


def reading_strong(summary: pd.DataFrame) -> str:
    parts = []
    for cell, rows in summary.groupby("cell", sort=False):
        r = rows.iloc[-1]
        text = (f"{cell}: pass@{int(r['k'])} {pct(r['pass_at_k'])} with the dataset's tests, "
                f"{pct(r['strong_pass_at_k'])} with the stronger ones "
                f"({100 * (r['pass_at_k'] - r['strong_pass_at_k']):.1f} points of weak-test inflation: problems "
                f"credited by the dataset's tests alone)")
        falls = [f"{strategy(name).title} {100 * (r[f'{name}_at_k'] - r[f'strong_{name}_at_k']):.1f}"
                 for name in SELECTING if pd.notna(r.get(f"strong_{name}_at_k"))]
        if falls:
            text += "; points of its picks that pass only the dataset's tests, by strategy: " + ", ".join(falls)
        if pd.notna(r.get("until_weak_pass_accuracy")):
            first = rows.iloc[0]
            text += (f"; resampling until the dataset's tests pass is right {pct(first['until_weak_pass_accuracy'])} "
                     f"of the time at k=1 and {pct(r['until_weak_pass_accuracy'])} at k={int(r['k'])}, submitting "
                     f"a false pass {pct(r['false_pass_at_k'])} of the time")
        parts.append(text)
    return "; ".join(parts) + "."


def reading_problems(per_problem: dict) -> str:
    parts = []
    for cell, frame in list(per_problem.items())[:4]:
        parts.append(f"{cell}: {int((frame['c'] > 0).sum())} of {len(frame)} problems solved at least once in "
                     f"{int(frame['n'].min())} samples, {int((frame['c'] == frame['n']).sum())} solved every time")
    return "; ".join(parts) + "."


def reading_references(references: list) -> str:
    """The reference lines, as a sentence (appended to pass@k's reading)."""
    if not references:
        return ""
    parts = [f"{r['name']} {pct(r['pass_at_1'])}{interval_text(r)} ({r['kind']}{measured_on(r)})" for r in references]
    return (" Black lines: pass@1 of " + "; ".join(parts) + " (a cell on other problems is compared with it only "
            "where the crossing table says so).")


def interval_text(ref) -> str:
    """A reference's interval, where it was measured: ' [lo, hi]'."""
    bounds = measured_interval(ref)
    return "" if bounds is None else f" [{pct(bounds[0])}, {pct(bounds[1])}]"


def reading_failures(summary: pd.DataFrame) -> str:
    """Per cell, at its largest k: what is left unsolved and its main cause."""
    parts = []
    for cell, rows in summary.groupby("cell", sort=False):
        last = rows.iloc[-1]
        shares = {kind: last[f"unsolved_{kind}"] for kind in KINDS}
        main = max(shares, key=shares.get)
        left = sum(shares.values())
        parts.append(f"{cell}: at k={int(last['k'])}, {pct(left)} of problems stay unsolved"
                     + (f", the largest share ({pct(shares[main])}) by {main.replace('_', ' ')}" if left > 0 else ""))
    return "; ".join(parts) + ". Each unsolved problem counts under its most frequent failure."


def reading_diversity(summary: pd.DataFrame) -> str:
    parts = []
    for cell, rows in summary.groupby("cell", sort=False):
        last = rows.iloc[-1]
        parts.append(f"{cell}: {last['distinct_programs']:.1f} distinct programs in {int(last['k'])} samples "
                     f"({pct(last['distinct_programs'] / last['k'])} of them)")
    return "; ".join(parts) + ". Programs are told apart by their compiled code, not their layout or comments."


def reading_answer(crossings: pd.DataFrame, summary: pd.DataFrame) -> str:
    """The report's first sentence: for the cell with the most samples per
    problem, at what k each way of picking (the oracle, each strategy)
    reaches each reference's pass@1, on the same problems, with the samples a
    strategy that stops early draws and the cost where the model's config
    gives one."""
    cell = answer_cell(crossings)
    if cell is None:
        return ""
    rows = crossings[crossings["cell"] == cell]
    n, name = int(rows["budget_sampled"].iloc[0]), summary.loc[summary["cell"] == cell, "model.name"].iloc[0]
    parts = []
    for reference, group in rows.groupby("reference", sort=False):
        reached = [_reached(r) for _, r in group.iterrows() if _within(r["k_needed"], n)]
        missed = [_way(r["metric"]) for _, r in group.iterrows() if not _within(r["k_needed"], n)]
        said = ", ".join(reached) or f"not within {n}, by any way of picking"
        if reached and missed:
            said += f"; not within {n} " + " or ".join(missed)
        other = "same_problems" in group and not group["same_problems"].fillna(False).astype(bool).iloc[0]
        on = ", measured on other problems" if other else ""
        parts.append(f"{reference}'s pass@1 ({pct(group['reference_pass_at_1'].iloc[0])}{on}): {said}")
    return (f"How many samples per problem {name} ({cell}) needs to reach each reference's pass@1, "
            f"within the {n} it has: " + "; ".join(parts) + ".")


def answer_cell(crossings: pd.DataFrame):
    """The cell the answer is about: the one with the most samples per problem (None without crossings)."""
    if crossings.empty or "k_needed" not in crossings:
        return None
    return crossings.loc[crossings["budget_sampled"].idxmax(), "cell"]


def reading_answer_figure(cell: str) -> str:
    return (f"The sentence above, drawn: {cell}'s pass@k (an oracle picks) and each way of picking without one, "
            "against the samples each draws per problem; a black line per reference's pass@1 on the same problems. "
            "Where a curve crosses a line is the k the sentence gives.")


def _within(k, n: int) -> bool:
    return pd.notna(k) and np.isfinite(k) and k <= n


def _way(metric: str) -> str:
    name = metric.removesuffix("@k")
    return "with an oracle" if name == "pass" else f"by {strategy(name).title}"


def _reached(row) -> str:
    k, drawn = row["k_needed"], row.get("samples_drawn")
    fewer = f", {drawn:.1f} drawn" if pd.notna(drawn) and drawn < k - 1e-9 else ""
    # a cost of 0 is a file's samples whose tokens no one counted, not a free sample
    cost = next((f", {row[unit]:.3g} {COST_UNITS[unit]}" for unit in COST_UNITS
                 if pd.notna(row.get(unit)) and row[unit] > 0), "")
    return f"k = {k:.0f}{fewer}{cost} {_way(row['metric'])}"


def reading_mixes(mixes: pd.DataFrame) -> str:
    """Each set of configurations mixed, at the largest budget one of them has alone."""
    if mixes is None or mixes.empty:
        return "No two sampled cells share their problems: nothing to mix."
    parts = []
    for cells, rows in mixes.groupby("cells", sort=False):
        alone = rows.dropna(subset=["best_alone"])
        r = alone.iloc[-1] if not alone.empty else rows.iloc[-1]
        split = " and ".join(f"{count} from {cell}" for count, cell in zip(str(r["split"]).split("+"), cells.split(" + ")))
        against = f", against {pct(r['best_alone'])} for the best alone ({r['best_alone_cell']})" if not alone.empty else ""
        parts.append(f"at {int(r['total'])} samples per problem, {split} solve {pct(r['mix_at_total'])} "
                     f"[{pct(r['mix_at_total_lo'])}, {pct(r['mix_at_total_hi'])}] (the split chosen on half of the "
                     f"problems, scored on the other; {pct(r['mix_in_sample'])} on the problems it was chosen on)"
                     f"{against}")
    return "Mixing configurations: " + "; ".join(parts) + "."
