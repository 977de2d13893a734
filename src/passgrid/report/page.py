"""The report: results/report/index.html, self-contained (figures inlined as
PNG), for a reader who did not run the grid. Each figure also lands in
results/report/figures/ (MLflow logs them) and comes with a one-line reading
computed from the data.
"""
import base64
import html
from pathlib import Path
from string import Template

import pandas as pd

from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.references import all_references, measured_on
from passgrid.report import figures as draw
from passgrid.report import readings as read
from passgrid.report import tables

PAGE = Path(__file__).with_name("page.html")  # the page, its $names filled by render_report


def render_report(summary: pd.DataFrame, fits: pd.DataFrame, crossings: pd.DataFrame, per_problem: dict,
                  sweep: str, analysis, figures_dir, provenance: dict = None,
                  references: list = None, mixes: pd.DataFrame = None) -> str:
    """`provenance`: cell -> what drew its samples (the draw.json of its draw).
    `references`: results/references.csv's rows (by default the cited ones of
    `analysis`). The cells of a measured reference are in the tables; the
    curve figures draw them as reference lines (their pass@1 and interval)."""
    all_cells = summary.reset_index(drop=True)
    references = all_references(analysis.references, []) if references is None else references
    measured = {r["cell"] for r in references if r["kind"] == "measured"}
    if all_cells["cell"].isin(measured).all():  # a grid of references only: draw them as curves
        measured = set()
    summary = all_cells[~all_cells["cell"].isin(measured)].reset_index(drop=True)
    per_problem = {cell: frame for cell, frame in per_problem.items() if cell not in measured}
    fits = fits[~fits["cell"].isin(measured)]  # results/fits.csv keeps theirs
    units = draw.cost_units(summary)
    figures = _figures(_sections(summary, fits, crossings, per_problem, references, analysis, units), figures_dir)
    unit_note = "no cost figure (the models' configs give no parameters or prices)" if not units else \
        "costs in " + ", ".join(COST_UNITS[unit] for unit in units)
    return Template(PAGE.read_text()).substitute(
        sweep=html.escape(sweep), cells=all_cells["cell"].nunique(),
        answer=html.escape(read.reading_answer(crossings, all_cells)), mixing=html.escape(read.reading_mixes(mixes)),
        models=html.escape(", ".join(all_cells["model.name"].unique())),
        datasets=html.escape(", ".join(all_cells["dataset.name"].unique())), unit_note=html.escape(unit_note),
        interval=html.escape(str(summary["interval"].iloc[0])), horizon=f"{analysis.horizon:g}",
        references=_references_list(references), headline=_table(tables.headline_table(all_cells, measured)),
        crossing_table=_table(tables.crossing_table(crossings)), fit_table=_table(tables.fit_table(fits)),
        failure_table=_table(tables.failure_table(all_cells)),
        provenance_table=_table(tables.provenance_table(provenance or {})),
        pass_and_cost_figures=figures["pass_at_k"] + "".join(f for name, f in figures.items() if name.startswith("cost_")),
        fits_figure=figures["fits"], failure_figures=figures.get("failures", "") + figures.get("diversity", ""),
        selection_figures=figures.get("selection", "") + figures.get("strong_tests", "") + figures["problems"],
        answer_figure=figures.get("answer", ""))


def _sections(summary, fits, crossings, per_problem, references, analysis, units) -> list:
    """(name, figure, reading) of every figure the grid's results allow."""
    sections = [("pass_at_k", draw.plot_pass_at_k(summary, references, crossings),
                 read.reading_pass_at_k(summary, analysis.level) + read.reading_references(references))]
    cell = read.answer_cell(crossings)
    if cell in set(summary["cell"]):
        sections.insert(0, ("answer", draw.plot_answer(summary, crossings, cell), read.reading_answer_figure(cell)))
    for unit in units:
        sections.append((f"cost_{unit.removeprefix('cost_')}", draw.plot_cost(summary, references, unit),
                         read.reading_cost(summary, unit)))
    sections.append(("fits", draw.plot_fits(summary, fits), read.reading_fits(fits, analysis.level)))
    if read.strategy_rows(summary).any():
        sections.append(("selection", draw.plot_selection(summary, references), read.reading_selection(summary)))
    if "strong_pass_at_k" in summary and summary["strong_pass_at_k"].notna().any():
        sections.append(("strong_tests", draw.plot_strong(summary), read.reading_strong(summary)))
    if "distinct_programs" in summary:
        sections.append(("failures", draw.plot_failures(summary), read.reading_failures(summary)))
        sections.append(("diversity", draw.plot_diversity(summary), read.reading_diversity(summary)))
    sections.append(("problems", draw.plot_problems(per_problem), read.reading_problems(per_problem)))
    return sections


def _figures(sections: list, figures_dir) -> dict:
    """name -> the figure inlined in HTML with its reading; each also written to figures_dir as PNG."""
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    figures = {}
    for name, fig, reading in sections:
        png = draw.figure_png(fig)
        (figures_dir / f"{name}.png").write_bytes(png)
        figures[name] = (f'<figure id="{name}"><img alt="{html.escape(name)}" src="data:image/png;base64,'
                         f'{base64.b64encode(png).decode("ascii")}"><figcaption>{html.escape(reading)}</figcaption>'
                         "</figure>")
    return figures


def _references_list(references: list) -> str:
    return "".join(f"<li>{html.escape(r['name'])} ({r['kind']}{html.escape(measured_on(r))}): pass@1 "
                   f"{read.pct(r['pass_at_1'])}{read.interval_text(r)} — {html.escape(r['source'])}</li>"
                   for r in references) or "<li>none configured (analysis.references)</li>"


def _table(frame) -> str:
    return frame.to_html(index=False, border=0, classes="summary", na_rep="") if not frame.empty else \
        "<p>Nothing to show.</p>"
