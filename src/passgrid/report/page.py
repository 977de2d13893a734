"""The report: results/report/index.html, self-contained (figures inlined as
PNG), for a reader who did not run the grid. Each figure also lands in
results/report/figures/ (MLflow logs them) and comes with a one-line reading
computed from the data.
"""
import base64
import html
from pathlib import Path

import pandas as pd

from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.references import all_references, measured_on
from passgrid.report import figures as draw
from passgrid.report import readings as read
from passgrid.report import tables


def render_report(summary: pd.DataFrame, fits: pd.DataFrame, crossings: pd.DataFrame, per_problem: dict,
                  varying: list, sweep: str, analysis: dict, figures_dir, provenance: dict = None,
                  references: list = None) -> str:
    """`provenance`: cell -> what drew its samples (the draw.json of its draw).
    `references`: results/references.csv's rows (by default the cited ones of
    `analysis`). The cells of a measured reference are in the tables; the
    curve figures draw them as reference lines (their pass@1 and interval)."""
    all_cells = summary.reset_index(drop=True)
    references = all_references(analysis.get("references", []), []) if references is None else references
    measured = {r["cell"] for r in references if r["kind"] == "measured"}
    if all_cells["cell"].isin(measured).all():  # a grid of references only: draw them as curves
        measured = set()
    summary = all_cells[~all_cells["cell"].isin(measured)].reset_index(drop=True)
    per_problem = {cell: frame for cell, frame in per_problem.items() if cell not in measured}
    fits = fits[~fits["cell"].isin(measured)]  # results/fits.csv keeps theirs
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    sections = [("pass_at_k", draw.plot_pass_at_k(summary, references, crossings),
                 read.reading_pass_at_k(summary, analysis["level"]) + read.reading_references(references))]
    units = draw.cost_units(summary)
    for unit in units:
        sections.append((f"cost_{unit.removeprefix('cost_')}", draw.plot_cost(summary, references, unit),
                         read.reading_cost(summary, unit)))
    sections.append(("fits", draw.plot_fits(summary, fits), read.reading_fits(fits, analysis["level"])))
    if "selected_at_k" in summary and summary["selected_at_k"].notna().any():
        sections.append(("selection", draw.plot_selection(summary, references), read.reading_selection(summary)))
    if "strong_pass_at_k" in summary and summary["strong_pass_at_k"].notna().any():
        sections.append(("strong_tests", draw.plot_strong(summary), read.reading_strong(summary)))
    if "distinct_programs" in summary:
        sections.append(("failures", draw.plot_failures(summary), read.reading_failures(summary)))
        sections.append(("diversity", draw.plot_diversity(summary), read.reading_diversity(summary)))
    sections.append(("problems", draw.plot_problems(per_problem), read.reading_problems(per_problem)))
    figures = {}
    for name, fig, reading in sections:
        png = draw.figure_png(fig)
        (figures_dir / f"{name}.png").write_bytes(png)
        figures[name] = (f'<figure id="{name}"><img alt="{html.escape(name)}" src="data:image/png;base64,'
                       f'{base64.b64encode(png).decode("ascii")}"><figcaption>{html.escape(reading)}</figcaption>'
                       "</figure>")
    refs = "".join(f"<li>{html.escape(r['name'])} ({r['kind']}{html.escape(measured_on(r))}): pass@1 {read.pct(r['pass_at_1'])}"
                   f"{read.interval_text(r)} — {html.escape(r['source'])}</li>"
                   for r in references) or "<li>none configured (analysis.references)</li>"
    models = ", ".join(all_cells["model.name"].unique())
    datasets = ", ".join(all_cells["dataset.name"].unique())
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
<p>{all_cells['cell'].nunique()} cell(s); model(s) {html.escape(models)}; dataset(s) {html.escape(datasets)};
{html.escape(unit_note)}. pass@k is the unbiased estimator of Chen et al. (2021), averaged over problems: the chance
that at least one of k samples passes the tests, as if an oracle picked it. selected@k is what a user gets who picks
one of k samples using only the docstring's examples and agreement between samples. Intervals: {html.escape(str(summary['interval'].iloc[0]))}.</p>
<h2>Headline</h2>
{table(tables.headline_table(all_cells, varying, measured))}
<h2>Reaching the reference systems</h2>
<p>The smallest k whose estimate reaches each reference's pass@1: from the measured curve within the n samples drawn;
beyond them from the power law, only above n and no further than the horizon ({analysis.get("horizon", 10):g} &times; n;
past it, in words). In brackets, the range over the bootstrap replicates, which resample the cell's problems and a
measured reference's together (for selected@k, where its interval's ends reach it; "&gt; n": not within the n samples
drawn; "?": no cost for it). A reference measured on other problems than the cell's is marked so. A star on the
first figure marks each crossing within the samples drawn. References, measured in this grid (a large model's
published samples judged here, on the same problems) where the grid has them, else cited:</p><ul>{refs}</ul>
{table(tables.crossing_table(crossings))}
{figures["pass_at_k"]}{"".join(fig for name, fig in figures.items() if name.startswith("cost_"))}
<h2>How far more samples would go</h2>
{figures["fits"]}
{table(tables.fit_table(fits))}
<h2>Without an oracle, with stronger tests, per problem</h2>
{figures.get("selection", "")}{figures.get("strong_tests", "")}{figures["problems"]}
<h2>Why samples fail</h2>
{table(tables.failure_table(all_cells))}
{figures.get("failures", "")}{figures.get("diversity", "")}
<h2>What drew the samples</h2>
{table(tables.provenance_table(provenance or {}))}
<p>Each draw's <code>draw.json</code> holds every run that drew its samples, with the engine's options.</p>
<p>Files: <code>results/summary.csv</code> (one row per cell and k, with the cell's config),
<code>results/fits.csv</code>, <code>results/references.csv</code>, <code>results/crossings.csv</code>; the same figures and tables are in MLflow.</p>
</body></html>
"""

