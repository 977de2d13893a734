"""The report's tables, from the summary, fits, crossings and provenance."""
import numpy as np
import pandas as pd

from passgrid.analysis.columns import SELECTING
from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.crossings import BEYOND
from passgrid.analysis.failures import KINDS, PASSED
from passgrid.report.readings import pct


def headline_table(summary: pd.DataFrame, measured=()) -> pd.DataFrame:
    """One row per cell, narrow enough for a first screen (the cell's id
    names what varies; `measured`: the cells that are measured references):
    pass@1, pass@k at the cell's n with its interval, the best strategy's
    value at n, and the first cost the model's config gives."""
    rows = []
    for cell, group in summary.groupby("cell", sort=False):
        first, by_k = group.iloc[0], group.set_index("k")
        n = int(group["k"].max())
        last = by_k.loc[n]
        row = {"cell": cell, "model": first["model.name"],
               "role": "measured reference" if cell in measured else "sampled", "problems": int(first["n_problems"]),
               "pass@1": pct(first["pass_at_k"]),
               "pass@n, n = samples per problem": f"n={n}: {pct(last['pass_at_k'])} "
                                                  f"[{pct(last['pass_at_k_lo'])}, {pct(last['pass_at_k_hi'])}]"}
        picks = {name: last[f"{name}_at_k"] for name in SELECTING if pd.notna(last.get(f"{name}_at_k"))}
        if picks:
            best = max(picks, key=picks.get)
            row["best pick without an oracle, at n"] = f"{pct(picks[best])} ({best})"
        for unit in COST_UNITS:
            if unit in group and pd.notna(last[unit]):
                row["cost of n samples per problem"] = f"{last[unit]:.3g} {COST_UNITS[unit]}"
                break
        rows.append(row)
    return pd.DataFrame(rows)


def _k(k) -> str:
    if pd.isna(k):
        return "?"
    if not np.isfinite(k):
        return "never"
    return f"{k:.0f}" if k < 1e5 else f"{k:.1e}"


def crossing_table(crossings: pd.DataFrame) -> pd.DataFrame:
    if crossings.empty or "k_needed" not in crossings:
        return pd.DataFrame()

    def k_text(r):
        n, horizon = int(r["budget_sampled"]), r.get("horizon")
        past = f"beyond the horizon (k > {int(horizon)})" if pd.notna(horizon) else f"not within {n}"
        # an end of the interval not reached: past the horizon, or (selected@k, not extrapolated) within n
        beyond = "beyond the horizon" if r["metric"] == "pass@k" and pd.notna(horizon) else f"> {n}"
        low, high = (beyond if pd.isna(k) or not np.isfinite(k) else _k(k)
                     for k in (r["k_needed_low"], r["k_needed_high"]))
        if pd.notna(r["k_needed"]) and np.isfinite(r["k_needed"]):
            return f"{_k(r['k_needed'])} [{low}, {high}]"
        text = f"not reached within {n}; {past}" if r["how"] == BEYOND else f"not reached within {n}"
        return text if low == beyond else f"{text} [{low}, {high}]"  # some replicates reach it

    kind = (" (" + crossings["reference_kind"] + ")") if "reference_kind" in crossings else ""
    other = ""
    if "same_problems" in crossings:  # a reference measured on other problems than the cell's: said so
        other = np.where(crossings["same_problems"].astype(bool), "",
                         " — measured on other problems: " + crossings["reference_measured_on"].astype(str))
    table = pd.DataFrame({"cell": crossings["cell"], "reference": crossings["reference"] + " " +
                          (100 * crossings["reference_pass_at_1"]).map("{:.1f}%".format) + kind + other,
                          "metric": crossings["metric"], "k needed [interval]": crossings.apply(k_text, axis=1),
                          "how": crossings["how"]})
    if "reference_cost_usd" in crossings:  # what the reference's own answer cost: like is compared with like, or not
        table["reference's US$ at k=1"] = ["unknown" if pd.isna(c) else f"{c:.3g}" for c in crossings["reference_cost_usd"]]
    for unit in COST_UNITS:
        if unit in crossings and crossings[unit].notna().any():
            table[f"{COST_UNITS[unit]} at k [interval]"] = [
                "" if pd.isna(r.get(unit)) else
                f"{r[unit]:.3g} [{_cost(r.get(unit + '_low'))}, {_cost(r.get(unit + '_high'))}]"
                for _, r in crossings.iterrows()]
    return table


def _cost(value) -> str:
    """An end of a cost's interval; none where that end of k is not reached."""
    return "not reached" if value is None or pd.isna(value) else f"{value:.3g}"


def fit_table(fits: pd.DataFrame) -> pd.DataFrame:
    """One row per cell and forecaster: its parameters, its held-out
    prediction of pass@n beside the measurement, its extrapolations."""
    if fits.empty:
        return fits
    fitted = fits[fits["fit"] != "extrapolation"].copy()
    keep = [c for c in ("cell", "fit", "a", "b", "alpha", "beta", "never", "r2", "rmse", "replicates_fitted", "validation_fit_samples",
                        "validation_k", "validation_observed", "validation_error") if c in fitted]
    table = fitted[keep].round(4)
    if "validation_predicted" in fitted:
        table.insert(len(table.columns) - 2, "validation_predicted [interval]", [
            "" if pd.isna(r.validation_predicted) else
            f"{pct(r.validation_predicted)} [{pct(r.validation_lo)}, {pct(r.validation_hi)}]"
            for r in fitted.itertuples()])
    extra = fits[fits["fit"] == "extrapolation"]
    for row in extra.itertuples():
        table.loc[(fitted["cell"] == row.cell) & (fitted["fit"] == row.forecaster),
                  f"pass@{int(row.k)} (fit) [interval, if its form holds]"] = (
            f"{pct(row.predicted)} [{pct(row.predicted_lo)}, {pct(row.predicted_hi)}]")
    return table


def failure_table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per cell: its samples by outcome, as shares of all its samples."""
    rows = []
    for cell, group in summary.groupby("cell", sort=False):
        first = group.iloc[0]
        counts = {kind: first[f"samples_{kind}"] for kind in (PASSED, *KINDS) if f"samples_{kind}" in first}
        total = sum(counts.values())
        if total:
            rows.append({"cell": cell, "samples": int(total),
                         **{kind.replace("_", " "): f"{pct(c / total)} ({int(c)})" for kind, c in counts.items()}})
    return pd.DataFrame(rows)


def provenance_table(provenance: dict) -> pd.DataFrame:
    """One row per cell: what drew its samples (the latest run of its draw),
    and what its draw's runs disagree on."""
    rows = []
    for cell, found in provenance.items():
        # the model file's hash, the GGUF a model was converted from, or the samples file read
        model = (found.get("model_sha256") or (found.get("converted_from") or {}).get("sha256")
                 or found.get("samples_sha256") or "")
        rows.append({"cell": cell, "engine": found.get("engine", found.get("backend", "")),
                     "version": found.get("version", found.get("client_version", "")),
                     "model or samples file sha256": model[:16], "runs": found.get("runs", 1),
                     "runs differ in": ", ".join(found.get("differs", [])) or "nothing"})
    return pd.DataFrame(rows)
