"""The report: results/report/index.html, self-contained (figures inlined as
PNG), for a reader who did not run the grid. Each figure also lands in
results/report/figures/ (MLflow logs them) and comes with a one-line reading
computed from the data.
"""
import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.curves import budget_ks
from passgrid.analysis.fits import LAW
from passgrid.analysis.uncertainty import problem_curves

HEADLINE_KS = (1, 10, 100, 1000)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _log_k_axis(ax, k_max: int) -> None:
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    ax.set_xscale("log")
    ticks = {k for k in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000, 10000, 100000) if k <= k_max} | {k_max}
    ax.xaxis.set_major_locator(FixedLocator(sorted(ticks)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(ScalarFormatter())


def _references(ax, references) -> None:
    for ref in references:
        ax.axhline(100 * ref["pass_at_1"], color="black", linestyle="--", linewidth=1)
        ax.annotate(f"{ref['name']} pass@1 {100 * ref['pass_at_1']:.1f}%", (0.01, 100 * ref["pass_at_1"]),
                    xycoords=("axes fraction", "data"), va="bottom", fontsize=8)


def _figure(title: str, xlabel: str, ylabel: str = "pass@k (%)"):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.5), dpi=100)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    return fig, ax


def plot_pass_at_k(summary: pd.DataFrame, references, crossings: pd.DataFrame = None):
    """pass@k with its band per cell; a star where a cell's pass@k reaches a
    reference's pass@1 within the sampled budget."""
    fig, ax = _figure("pass@k against k", "k (samples per problem)")
    for cell, rows in summary.groupby("cell", sort=False):
        line, = ax.plot(rows["k"], 100 * rows["pass_at_k"], label=cell)
        if "pass_at_k_lo" in rows:
            ax.fill_between(rows["k"], 100 * rows["pass_at_k_lo"], 100 * rows["pass_at_k_hi"], alpha=0.2,
                            color=line.get_color())
        if crossings is not None and not crossings.empty and "how" in crossings:
            hits = crossings[(crossings["cell"] == cell) & (crossings["metric"] == "pass@k")
                             & (crossings["how"] == "measured")]
            ax.plot(hits["k_needed"], 100 * hits["reference_pass_at_1"], "*", markersize=12,
                    color=line.get_color())
    _references(ax, references)
    _log_k_axis(ax, int(summary["k"].max()))
    ax.legend(fontsize=7, loc="lower right")
    return fig


def cost_units(summary: pd.DataFrame) -> list:
    """The costs every cell has a figure for, of dollars, FLOPs and GPU-hours."""
    return [unit for unit in COST_UNITS if unit in summary and summary[unit].notna().all()]


def plot_cost(summary: pd.DataFrame, references, unit: str):
    fig, ax = _figure(f"pass@k against the cost of k samples per problem ({COST_UNITS[unit]})",
                      f"{COST_UNITS[unit]} for the whole benchmark (log)")
    for cell, rows in summary.groupby("cell", sort=False):
        line, = ax.plot(rows[unit], 100 * rows["pass_at_k"], label=cell)
        ax.fill_between(rows[unit], 100 * rows["pass_at_k_lo"], 100 * rows["pass_at_k_hi"], alpha=0.2,
                        color=line.get_color())
    _references(ax, references)
    ax.set_xscale("log")
    ax.legend(fontsize=7, loc="lower right")
    return fig


def plot_fits(summary: pd.DataFrame, fits: pd.DataFrame):
    fig, ax = _figure(f"Scaling fit {LAW}: data, fit, extrapolation", "k (samples per problem)")
    k_max = int(summary["k"].max())
    for cell, rows in summary.groupby("cell", sort=False):
        laws = fits[(fits["cell"] == cell) & (fits["fit"] == LAW)]
        marks, = ax.plot(rows["k"], 100 * rows["pass_at_k"], "o", markersize=3, label=f"{cell} (data)")
        if laws.empty:
            continue
        law = laws.iloc[0]
        extra = fits[(fits["cell"] == cell) & (fits["fit"] == "extrapolation")]
        k_end = int(max([k_max] + list(extra["k"])))
        k = np.unique(np.logspace(0, np.log10(k_end), 200).round().astype(int))
        ax.plot(k, 100 * np.exp(-law["a"] * k ** law["b"]), color=marks.get_color(), linewidth=1)
        if not extra.empty:
            ax.errorbar(extra["k"], 100 * extra["predicted"],
                        yerr=[100 * (extra["predicted"] - extra["predicted_lo"]),
                              100 * (extra["predicted_hi"] - extra["predicted"])],
                        fmt="s", color=marks.get_color(), capsize=3)
        if pd.notna(law.get("validation_predicted")):
            ax.errorbar([law["validation_k"]], [100 * law["validation_predicted"]],
                        yerr=[[100 * (law["validation_predicted"] - law["validation_lo"])],
                              [100 * (law["validation_hi"] - law["validation_predicted"])]],
                        fmt="x", color=marks.get_color(), capsize=3, markersize=8)
        k_max = max(k_max, k_end)
    _log_k_axis(ax, k_max)
    ax.legend(fontsize=7, loc="lower right")
    return fig


def plot_selection(summary: pd.DataFrame, references):
    fig, ax = _figure("Oracle pass@k against selected@k (docstring examples + voting)", "k (samples per problem)")
    for cell, rows in summary.groupby("cell", sort=False):
        line, = ax.plot(rows["k"], 100 * rows["pass_at_k"], label=f"{cell}: pass@k (oracle)")
        chosen = rows.dropna(subset=["selected_at_k"])
        ax.errorbar(chosen["k"], 100 * chosen["selected_at_k"],
                    yerr=[100 * (chosen["selected_at_k"] - chosen["selected_at_k_lo"]),
                          100 * (chosen["selected_at_k_hi"] - chosen["selected_at_k"])],
                    fmt="o--", color=line.get_color(), capsize=3, label=f"{cell}: selected@k")
    _references(ax, references)
    _log_k_axis(ax, int(summary["k"].max()))
    ax.legend(fontsize=7, loc="lower right")
    return fig


def plot_strong(summary: pd.DataFrame):
    fig, ax = _figure("Weak tests against stronger tests", "k (samples per problem)")
    for cell, rows in summary.groupby("cell", sort=False):
        line, = ax.plot(rows["k"], 100 * rows["pass_at_k"], label=f"{cell}: dataset's tests")
        ax.plot(rows["k"], 100 * rows["strong_pass_at_k"], "--", color=line.get_color(),
                label=f"{cell}: stronger tests")
    _log_k_axis(ax, int(summary["k"].max()))
    ax.legend(fontsize=7, loc="lower right")
    return fig


def plot_problems(per_problem: dict):
    """Per problem and k, that problem's pass@k: one panel per cell (up to 4)."""
    plt = _pyplot()
    cells = list(per_problem)[:4]
    fig, axes = plt.subplots(1, len(cells), figsize=(3.2 * len(cells) + 1.5, 6), dpi=100, squeeze=False)
    for ax, cell in zip(axes[0], cells):
        frame = per_problem[cell]
        n = int(frame["n"].min())
        ks = budget_ks(n)
        grid = problem_curves(frame)[:, [k - 1 for k in ks]]
        order = np.argsort(-grid[:, -1] - grid[:, 0], kind="stable")
        image = ax.imshow(100 * grid[order], aspect="auto", cmap="viridis", vmin=0, vmax=100, interpolation="nearest")
        ax.set_xticks(range(len(ks)), [str(k) for k in ks], fontsize=7)
        ax.set_xlabel("k")
        ax.set_ylabel("problems (easiest first)")
        ax.set_title(cell, fontsize=8)
    fig.colorbar(image, ax=axes[0].tolist(), label="pass@k of the problem (%)")
    return fig


def figure_png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    _pyplot().close(fig)
    return buf.getvalue()


# --- readings: one line per figure, from the numbers --------------------------

def _pct(x) -> str:
    return f"{100 * x:.1f}%"


def reading_pass_at_k(summary: pd.DataFrame, level: float) -> str:
    parts = []
    for cell, rows in summary.groupby("cell", sort=False):
        n = int(rows["k"].max())
        first, last = rows.iloc[0], rows.iloc[-1]
        parts.append(f"{cell} goes from {_pct(first['pass_at_k'])} at k=1 to {_pct(last['pass_at_k'])} "
                     f"[{_pct(last['pass_at_k_lo'])}, {_pct(last['pass_at_k_hi'])}] at k={n}")
    return "; ".join(parts) + f" (bands: {100 * level:g}% bootstrap intervals over problems)."


def reading_cost(summary: pd.DataFrame, unit: str) -> str:
    last = summary.groupby("cell", sort=False).tail(1)
    best = last.loc[last["pass_at_k"].idxmax()]
    cheapest = last.loc[last[unit].idxmin()]
    return (f"At its full budget, {best['cell']} scores highest ({_pct(best['pass_at_k'])} for "
            f"{best[unit]:.3g} {COST_UNITS[unit]}); {cheapest['cell']} costs least "
            f"({cheapest[unit]:.3g} {COST_UNITS[unit]} for {_pct(cheapest['pass_at_k'])}).")


def reading_fits(fits: pd.DataFrame) -> str:
    laws = fits[fits["fit"] == LAW]
    if laws.empty:
        return "No cell has enough partly solved ks to fit."
    parts = []
    for law in laws.itertuples():
        text = f"{law.cell}: b = {law.b:.2f}, R² = {law.r2:.3f}"
        if pd.notna(getattr(law, "validation_predicted", np.nan)):
            text += (f"; fitted on k ≤ {int(law.validation_fit_k_max)} it predicts pass@{int(law.validation_k)} = "
                     f"{_pct(law.validation_predicted)} against {_pct(law.validation_observed)} observed "
                     f"(error {100 * law.validation_error:+.1f} points)")
        parts.append(text)
    return "; ".join(parts) + ". Crosses: the held-out predictions; squares: extrapolations with intervals."


def reading_selection(summary: pd.DataFrame) -> str:
    parts = []
    for cell, rows in summary.dropna(subset=["selected_at_k"]).groupby("cell", sort=False):
        last = rows.iloc[-1]
        parts.append(f"{cell}: with k={int(last['k'])} samples, picking one by the docstring's examples and voting "
                     f"is right {_pct(last['selected_at_k'])} of the time, against {_pct(last['pass_at_k'])} "
                     "with an oracle")
    return "; ".join(parts) + "." if parts else "No selection results."


def reading_strong(summary: pd.DataFrame) -> str:
    last = summary.groupby("cell", sort=False).tail(1)
    return "; ".join(f"{r.cell}: pass@{int(r.k)} {_pct(r.pass_at_k)} with the dataset's tests, "
                     f"{_pct(r.strong_pass_at_k)} with the stronger ones "
                     f"({100 * (r.pass_at_k - r.strong_pass_at_k):.1f} points of false passes)"
                     for r in last.itertuples()) + "."


def reading_problems(per_problem: dict) -> str:
    parts = []
    for cell, frame in list(per_problem.items())[:4]:
        parts.append(f"{cell}: {int((frame['c'] > 0).sum())} of {len(frame)} problems solved at least once in "
                     f"{int(frame['n'].min())} samples, {int((frame['c'] == frame['n']).sum())} solved every time")
    return "; ".join(parts) + "."


# --- tables -------------------------------------------------------------------

def headline_table(summary: pd.DataFrame, varying: list) -> pd.DataFrame:
    rows = []
    for cell, group in summary.groupby("cell", sort=False):
        first, by_k = group.iloc[0], group.set_index("k")
        n = int(group["k"].max())
        row = {"cell": cell, **{key: first[key] for key in varying if key in first}, "model": first["model.name"],
               "n": n, "problems": int(first["n_problems"])}
        for k in sorted({k for k in HEADLINE_KS if k <= n} | {n}):
            r = by_k.loc[k]
            row[f"pass@{k}"] = f"{_pct(r['pass_at_k'])} [{_pct(r['pass_at_k_lo'])}, {_pct(r['pass_at_k_hi'])}]"
        if "selected_at_k" in group and pd.notna(by_k.loc[n].get("selected_at_k")):
            row[f"selected@{n}"] = _pct(by_k.loc[n]["selected_at_k"])
        for unit in COST_UNITS:
            if unit in group and pd.notna(by_k.loc[n][unit]):
                row[f"{COST_UNITS[unit]} (k={n})"] = f"{by_k.loc[n][unit]:.3g}"
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
        if pd.isna(r["k_needed"]) or not np.isfinite(r["k_needed"]):
            return f"not within {int(r['budget_sampled'])}"
        beyond = f"> {int(r['budget_sampled'])}"  # that end of the interval is not reached within the samples
        low = beyond if pd.isna(r["k_needed_low"]) else _k(r["k_needed_low"])
        high = beyond if pd.isna(r["k_needed_high"]) else _k(r["k_needed_high"])
        return f"{_k(r['k_needed'])} [{low}, {high}]"

    table = pd.DataFrame({"cell": crossings["cell"], "reference": crossings["reference"] + " " +
                          (100 * crossings["reference_pass_at_1"]).map("{:.1f}%".format),
                          "metric": crossings["metric"], "k needed [interval]": crossings.apply(k_text, axis=1),
                          "how": crossings["how"]})
    for unit in COST_UNITS:
        if unit in crossings and crossings[unit].notna().any():
            table[f"{COST_UNITS[unit]} at k [interval]"] = [
                "" if pd.isna(r.get(unit)) else
                f"{r[unit]:.3g} [{_cost(r.get(unit + '_low'))}, {_cost(r.get(unit + '_high'))}]"
                for _, r in crossings.iterrows()]
    return table


def _cost(value) -> str:
    return "?" if value is None or pd.isna(value) else f"{value:.3g}"


def fit_table(fits: pd.DataFrame) -> pd.DataFrame:
    if fits.empty:
        return fits
    laws = fits[fits["fit"] != "extrapolation"].copy()
    keep = [c for c in ("cell", "fit", "a", "b", "r2", "rmse", "validation_fit_k_max", "validation_k",
                        "validation_predicted", "validation_observed", "validation_error") if c in laws]
    laws = laws[keep]
    extra = fits[fits["fit"] == "extrapolation"]
    for row in extra.itertuples():
        laws.loc[laws["cell"] == row.cell, f"pass@{int(row.k)} (fit)"] = (
            f"{_pct(row.predicted)} [{_pct(row.predicted_lo)}, {_pct(row.predicted_hi)}]")
    return laws.round(4)


# --- the page -----------------------------------------------------------------

def provenance_table(provenance: dict) -> pd.DataFrame:
    """One row per cell: what drew its samples (the latest run of its draw),
    and what its draw's runs disagree on."""
    rows = []
    for cell, found in provenance.items():
        model = found.get("model_sha256") or (found.get("converted_from") or {}).get("sha256") or ""
        rows.append({"cell": cell, "engine": found.get("engine", found.get("backend", "")),
                     "version": found.get("version", found.get("client_version", "")),
                     "model file sha256": model[:16], "runs": found.get("runs", 1),
                     "runs differ in": ", ".join(found.get("differs", [])) or "nothing"})
    return pd.DataFrame(rows)


def render_report(summary: pd.DataFrame, fits: pd.DataFrame, crossings: pd.DataFrame, per_problem: dict,
                  varying: list, sweep: str, analysis: dict, figures_dir, provenance: dict = None) -> str:
    """`provenance`: cell -> what drew its samples (the draw.json of its draw)."""
    summary = summary.reset_index(drop=True)
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    references = analysis.get("references", [])
    sections = [("pass_at_k", plot_pass_at_k(summary, references, crossings),
                 reading_pass_at_k(summary, analysis["level"]))]
    units = cost_units(summary)
    for unit in units:
        sections.append((f"cost_{unit.removeprefix('cost_')}", plot_cost(summary, references, unit),
                         reading_cost(summary, unit)))
    sections.append(("fits", plot_fits(summary, fits), reading_fits(fits)))
    if "selected_at_k" in summary and summary["selected_at_k"].notna().any():
        sections.append(("selection", plot_selection(summary, references), reading_selection(summary)))
    if "strong_pass_at_k" in summary and summary["strong_pass_at_k"].notna().any():
        sections.append(("strong_tests", plot_strong(summary), reading_strong(summary)))
    sections.append(("problems", plot_problems(per_problem), reading_problems(per_problem)))
    figures = {}
    for name, fig, reading in sections:
        png = figure_png(fig)
        (figures_dir / f"{name}.png").write_bytes(png)
        figures[name] = (f'<figure id="{name}"><img alt="{html.escape(name)}" src="data:image/png;base64,'
                       f'{base64.b64encode(png).decode("ascii")}"><figcaption>{html.escape(reading)}</figcaption>'
                       "</figure>")
    refs = "".join(f"<li>{html.escape(r['name'])}: pass@1 {_pct(r['pass_at_1'])} — {html.escape(r['source'])}</li>"
                   for r in references) or "<li>none configured (analysis.references)</li>"
    models = ", ".join(summary["model.name"].unique())
    datasets = ", ".join(summary["dataset.name"].unique())
    unit_note = "no cost figure (the models' configs give no parameters or prices)" if not units else \
        "costs in " + ", ".join(COST_UNITS[unit] for unit in units)

    def table(frame):
        return frame.to_html(index=False, border=0, classes="summary", na_rep="") if not frame.empty else \
            "<p>Nothing to show.</p>"

    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>passgrid: sweep {html.escape(sweep)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 64rem; margin: 2rem auto; color: #222; padding: 0 1rem; }}
table.summary {{ border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }}
table.summary th, table.summary td {{ padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }}
figure {{ margin: 1.5rem 0; }} figure img {{ max-width: 100%; }} figcaption {{ color: #444; font-size: 0.9rem; }}
</style></head><body>
<h1>passgrid: sweep {html.escape(sweep)}</h1>
<p>{summary['cell'].nunique()} cell(s); model(s) {html.escape(models)}; dataset(s) {html.escape(datasets)};
{html.escape(unit_note)}. pass@k is the unbiased estimator of Chen et al. (2021), averaged over problems: the chance
that at least one of k samples passes the tests, as if an oracle picked it. selected@k is what a user gets who picks
one of k samples using only the docstring's examples and agreement between samples. Intervals: {html.escape(str(summary['interval'].iloc[0]))}.</p>
<h2>Headline</h2>
{table(headline_table(summary, varying))}
<h2>Reaching the reference systems</h2>
<p>The smallest k whose estimate reaches each reference's pass@1; in brackets, the k at which the optimistic and the
pessimistic ends of the interval reach it ("&gt; n": not within the n samples drawn; "?": no cost for it). A star on
the first figure marks each crossing within the samples drawn. References:</p><ul>{refs}</ul>
{table(crossing_table(crossings))}
{figures["pass_at_k"]}{"".join(fig for name, fig in figures.items() if name.startswith("cost_"))}
<h2>How far more samples would go</h2>
{figures["fits"]}
{table(fit_table(fits))}
<h2>Without an oracle, with stronger tests, per problem</h2>
{figures.get("selection", "")}{figures.get("strong_tests", "")}{figures["problems"]}
<h2>What drew the samples</h2>
{table(provenance_table(provenance or {}))}
<p>Each draw's <code>draw.json</code> holds every run that drew its samples, with the engine's options.</p>
<p>Files: <code>results/summary.csv</code> (one row per cell and k, with the cell's config),
<code>results/fits.csv</code>, <code>results/crossings.csv</code>; the same figures and tables are in MLflow.</p>
</body></html>
"""
