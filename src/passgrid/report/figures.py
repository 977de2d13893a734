"""The report's figures: one function per figure, from the summary tables
(matplotlib, drawn off-screen)."""
import io

import numpy as np
import pandas as pd

from passgrid.analysis.columns import SELECTING
from passgrid.analysis.costs import COST_UNITS
from passgrid.analysis.crossings import MEASURED
from passgrid.analysis.curves import budget_ks
from passgrid.analysis.failures import KINDS
from passgrid.analysis.fits import LAW, law_from_row
from passgrid.analysis.forecast import BETA, ZIBETA, from_row
from passgrid.analysis.references import measured_interval, measured_on
from passgrid.analysis.strategies import strategy
from passgrid.analysis.uncertainty import problem_curves


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


REFERENCE_STYLES = ("--", ":", "-.", (0, (5, 1, 1, 1)), (0, (1, 3)))


def _references(ax, references) -> None:
    """A black line per reference's pass@1, each its own dash, named in the
    legend; a measured one's interval as a bar at the right-hand edge."""
    transform = ax.get_yaxis_transform()  # x in axes fractions, y in data
    for i, ref in enumerate(references):
        y, style = 100 * ref["pass_at_1"], REFERENCE_STYLES[i % len(REFERENCE_STYLES)]
        bounds = measured_interval(ref)
        band = f" [{100 * bounds[0]:.1f}, {100 * bounds[1]:.1f}]" if bounds else ""
        ax.axhline(y, color="black", linestyle=style, linewidth=1,
                   label=f"{ref['name']} pass@1 {y:.1f}%{band} ({ref.get('kind', 'cited')}{measured_on(ref)})")
        if bounds:
            ax.errorbar([0.985 - 0.012 * i], [y], yerr=[[y - 100 * bounds[0]], [100 * bounds[1] - y]], transform=transform,
                        color="black", capsize=3, linewidth=1)


def _legend(ax) -> None:
    """Beside the axes, where it hides no curve and no reference line."""
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)


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
                             & (crossings["how"] == MEASURED)]
            ax.plot(hits["k_needed"], 100 * hits["reference_pass_at_1"], "*", markersize=12,
                    color=line.get_color())
    _references(ax, references)
    _log_k_axis(ax, int(summary["k"].max()))
    _legend(ax)
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
    _legend(ax)
    return fig


def plot_fits(summary: pd.DataFrame, fits: pd.DataFrame):
    """Each cell's data and the forecasters: the power law (solid, squares
    for its extrapolations), the Beta over problems (dashed, diamonds) and
    the zero-inflated Beta (dotted, triangles); crosses, pluses and tripods:
    each one's forecast of pass@n from the first samples."""
    fig, ax = _figure("Three forecasters: data, fits, extrapolations", "k (samples per problem)")
    k_axis = int(summary["k"].max())
    styles = {LAW: ("-", "s", "x"), BETA: ("--", "D", "+"), ZIBETA: (":", "v", "1")}
    for cell, rows in summary.groupby("cell", sort=False):
        marks, = ax.plot(rows["k"], 100 * rows["pass_at_k"], "o", markersize=3, label=f"{cell} (data)")
        color = marks.get_color()
        for name, (line, extra_mark, held_mark) in styles.items():
            fitted = fits[(fits["cell"] == cell) & (fits["fit"] == name)]
            if fitted.empty:
                continue
            f = fitted.iloc[0]
            extra = fits[(fits["cell"] == cell) & (fits["fit"] == "extrapolation") & (fits["forecaster"] == name)] \
                if "forecaster" in fits else fits.iloc[:0]
            k_end = int(max([rows["k"].max()] + list(extra["k"])))  # this cell's own range
            k = np.unique(np.logspace(0, np.log10(k_end), 200).round().astype(int))
            curve = (law_from_row(f) if name == LAW else from_row(f)).predict(k)
            ax.plot(k, 100 * curve, line, color=color, linewidth=1, label=f"{cell}: {name}")
            if not extra.empty:
                ax.errorbar(extra["k"], 100 * extra["predicted"],
                            yerr=[100 * (extra["predicted"] - extra["predicted_lo"]),
                                  100 * (extra["predicted_hi"] - extra["predicted"])],
                            fmt=extra_mark, color=color, capsize=3)
            if pd.notna(f.get("validation_predicted")):
                ax.errorbar([f["validation_k"]], [100 * f["validation_predicted"]],
                            yerr=[[100 * (f["validation_predicted"] - f["validation_lo"])],
                                  [100 * (f["validation_hi"] - f["validation_predicted"])]],
                            fmt=held_mark, color=color, capsize=3, markersize=8)
            k_axis = max(k_axis, k_end)
    _log_k_axis(ax, k_axis)
    _legend(ax)
    return fig


_DASHES = ("--", ":", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)))
STRATEGY_STYLES = {name: _DASHES[i % len(_DASHES)] for i, name in enumerate(SELECTING)}  # none dropped if more come


def _strategy_curves(ax, rows: pd.DataFrame, label: str, color=None):
    """A cell's pass@k and each strategy it has, against the samples each draws."""
    line, = ax.plot(rows["k"], 100 * rows["pass_at_k"], label=f"{label}pass@k (oracle)", color=color)
    for name in SELECTING:
        chosen = rows.dropna(subset=[f"{name}_at_k"]) if f"{name}_at_k" in rows else rows.iloc[:0]
        if chosen.empty:
            continue
        drawn = chosen[f"{name}_drawn"] if strategy(name).saves_samples else chosen["k"]
        ax.plot(drawn, 100 * chosen[f"{name}_at_k"], linestyle=STRATEGY_STYLES[name], color=line.get_color(),
                label=f"{label}{strategy(name).title}")
        ax.fill_between(drawn, 100 * chosen[f"{name}_at_k_lo"], 100 * chosen[f"{name}_at_k_hi"],
                        color=line.get_color(), alpha=0.08, linewidth=0)


def plot_selection(summary: pd.DataFrame, references):
    """Each search strategy a cell has against k, beside the oracle's pass@k."""
    fig, ax = _figure("Search strategies against the oracle (pass@k)",
                      "samples per problem: k, or those a strategy that stops early draws")
    for cell, rows in summary.groupby("cell", sort=False):
        _strategy_curves(ax, rows, f"{cell}: ")
    _references(ax, references)
    _log_k_axis(ax, int(summary["k"].max()))
    _legend(ax)
    return fig


def plot_answer(summary: pd.DataFrame, crossings: pd.DataFrame, cell: str):
    """The answer sentence's figure, small enough for the first screen: the
    cell's pass@k and strategies, and each reference's pass@1 on the cell's
    own problems (as the crossings compare them)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 3.1), dpi=100)
    ax.set_xlabel("samples per problem drawn", fontsize=8)
    ax.set_ylabel("solved (%)", fontsize=8)
    ax.tick_params(labelsize=7)
    ax.grid(True, which="both", alpha=0.3)
    rows = summary[summary["cell"] == cell]
    _strategy_curves(ax, rows, "", color="tab:blue")
    refs = crossings[crossings["cell"] == cell].drop_duplicates("reference")
    for i, (_, ref) in enumerate(refs.iterrows()):
        ax.axhline(100 * ref["reference_pass_at_1"], color="black", linewidth=1,
                   linestyle=REFERENCE_STYLES[i % len(REFERENCE_STYLES)],
                   label=f"{ref['reference']} pass@1 {100 * ref['reference_pass_at_1']:.1f}%")
    _log_k_axis(ax, int(rows["k"].max()))
    _legend(ax)
    return fig


def plot_strong(summary: pd.DataFrame):
    """pass@k by the dataset's and the stronger tests, and what a user gets who
    resamples until the dataset's tests pass (right by the stronger ones), and
    how often what they submit is a false pass."""
    fig, ax = _figure("Weak tests against stronger tests", "k (samples per problem)")
    for cell, rows in summary.groupby("cell", sort=False):
        line, = ax.plot(rows["k"], 100 * rows["pass_at_k"], label=f"{cell}: pass@k, dataset's tests")
        ax.plot(rows["k"], 100 * rows["strong_pass_at_k"], "--", color=line.get_color(),
                label=f"{cell}: pass@k, stronger tests")
        if "until_weak_pass_accuracy" in rows and rows["until_weak_pass_accuracy"].notna().any():
            ax.plot(rows["k"], 100 * rows["until_weak_pass_accuracy"], "-.", color=line.get_color(),
                    label=f"{cell}: resampling until the dataset's tests pass (right by the stronger)")
            ax.plot(rows["k"], 100 * rows["false_pass_at_k"], ":", color=line.get_color(),
                    label=f"{cell}: ... a false pass submitted")
    _log_k_axis(ax, int(summary["k"].max()))
    _legend(ax)
    return fig


def plot_failures(summary: pd.DataFrame):
    """Per cell (up to 4): what keeps problems unsolved at k, stacked; the
    stack's top is 1 - pass@k."""
    plt = _pyplot()
    cells = list(summary["cell"].unique())[:4]
    fig, axes = plt.subplots(1, len(cells), figsize=(3.4 * len(cells) + 2.5, 4), dpi=100, squeeze=False, sharey=True)
    for ax, cell in zip(axes[0], cells):
        rows = summary[summary["cell"] == cell]
        ax.stackplot(rows["k"], *[100 * rows[f"unsolved_{kind}"] for kind in KINDS],
                     labels=[kind.replace("_", " ") for kind in KINDS], alpha=0.85)
        _log_k_axis(ax, int(rows["k"].max()))
        ax.set_title(cell, fontsize=8)
        ax.set_xlabel("k")
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("problems unsolved at k (%), by main failure")
    _legend(axes[0][-1])
    return fig


def plot_diversity(summary: pd.DataFrame):
    fig, ax = _figure("Distinct programs among k samples (mean over problems)", "k (samples per problem)",
                      "distinct programs")
    for cell, rows in summary.groupby("cell", sort=False):
        ax.plot(rows["k"], rows["distinct_programs"], label=cell)
    k_max = int(summary["k"].max())
    ax.plot([1, k_max], [1, k_max], ":", color="grey", label="every sample different")
    ax.set_yscale("log")
    _log_k_axis(ax, k_max)
    _legend(ax)
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
    fig.savefig(buf, format="png", bbox_inches="tight")  # the legend beside the axes included
    _pyplot().close(fig)
    return buf.getvalue()
