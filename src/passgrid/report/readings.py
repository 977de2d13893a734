"""One line per figure, computed from the numbers it shows."""
import numpy as np
import pandas as pd

from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.fits import LAW


def pct(x) -> str:
    return f"{100 * x:.1f}%"


def reading_pass_at_k(summary: pd.DataFrame, level: float) -> str:
    parts = []
    for cell, rows in summary.groupby("cell", sort=False):
        n = int(rows["k"].max())
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(f"{cell} goes from {pct(first['pass_at_k'])} at k=1 to {pct(last['pass_at_k'])} "
                     f"[{pct(last['pass_at_k_lo'])}, {pct(last['pass_at_k_hi'])}] at k={n}")
    return "; ".join(parts) + f" (bands: {100 * level:g}% bootstrap intervals over problems)."


def reading_cost(summary: pd.DataFrame, unit: str) -> str:
    last = summary.groupby("cell", sort=False).tail(1)
    best = last.loc[last["pass_at_k"].idxmax()]
    cheapest = last.loc[last[unit].idxmin()]
    return (f"At its full budget, {best['cell']} scores highest ({pct(best['pass_at_k'])} for "
            f"{best[unit]:.3g} {COST_UNITS[unit]}); {cheapest['cell']} costs least "
            f"({cheapest[unit]:.3g} {COST_UNITS[unit]} for {pct(cheapest['pass_at_k'])}).")


def reading_fits(fits: pd.DataFrame) -> str:
    laws = fits[fits["fit"] == LAW]
    if laws.empty:
        return "No cell has enough partly solved ks to fit."
    parts = []
    for law in laws.itertuples():
        text = f"{law.cell}: b = {law.b:.2f}, R² = {law.r2:.3f}"
        if pd.notna(getattr(law, "validation_predicted", np.nan)):
            text += (f"; fitted on k ≤ {int(law.validation_fit_k_max)} it predicts pass@{int(law.validation_k)} = "
                     f"{pct(law.validation_predicted)} against {pct(law.validation_observed)} observed "
                     f"(error {100 * law.validation_error:+.1f} points)")
        parts.append(text)
    return "; ".join(parts) + ". Crosses: the held-out predictions; squares: extrapolations with intervals."


def reading_selection(summary: pd.DataFrame) -> str:
    parts = []
    for cell, rows in summary.dropna(subset=["selected_at_k"]).groupby("cell", sort=False):
        last = rows.iloc[-1]
        parts.append(f"{cell}: with k={int(last['k'])} samples, picking one by the docstring's examples and voting "
                     f"is right {pct(last['selected_at_k'])} of the time, against {pct(last['pass_at_k'])} "
                     "with an oracle")
    return "; ".join(parts) + "." if parts else "No selection results."


def reading_strong(summary: pd.DataFrame) -> str:
    last = summary.groupby("cell", sort=False).tail(1)
    return "; ".join(f"{r.cell}: pass@{int(r.k)} {pct(r.pass_at_k)} with the dataset's tests, "
                     f"{pct(r.strong_pass_at_k)} with the stronger ones "
                     f"({100 * (r.pass_at_k - r.strong_pass_at_k):.1f} points of false passes)"
                     for r in last.itertuples()) + "."


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
    parts = []
    for r in references:
        lo, hi = r.get("pass_at_1_lo"), r.get("pass_at_1_hi")
        band = "" if lo is None or pd.isna(lo) else f" [{pct(lo)}, {pct(hi)}]"
        parts.append(f"{r['name']} {pct(r['pass_at_1'])}{band} ({r['kind']})")
    return " Dashed lines: pass@1 of " + "; ".join(parts) + "."
