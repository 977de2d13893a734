"""A self-contained static HTML report: pass@k curves and a summary table."""
import base64
import html
import io

import pandas as pd

HEADLINE_KS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def plot_pass_at_k(summary: pd.DataFrame, title: str = "pass@k against k"):
    """A matplotlib figure of pass@k against k (log x), one line per cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for cell, rows in summary.groupby("cell", sort=False):
        ax.plot(rows["k"], 100 * rows["pass_at_k"], marker="o", markersize=3, label=cell)
    ax.set_xscale("log")
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    k_max = int(summary["k"].max())
    ticks = {k for k in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000) if k <= k_max} | {k_max}
    ax.xaxis.set_major_locator(FixedLocator(sorted(ticks)))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(ScalarFormatter())
    ax.set_xlabel("k (samples per problem)")
    ax.set_ylabel("pass@k (%)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    return fig


def figure_png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def headline_table(summary: pd.DataFrame, varying: list) -> pd.DataFrame:
    """One row per cell: what varies, pass@k at the headline ks the cell reaches, usage."""
    rows = []
    for cell, group in summary.groupby("cell", sort=False):
        first = group.iloc[0]
        row = {"cell": cell, **{key: first[key] for key in varying}, "model": first["model.name"],
               "n": int(group["k"].max()), "problems": int(first["n_problems"])}
        by_k = group.set_index("k")["pass_at_k"]
        ks = sorted({k for k in HEADLINE_KS if k in by_k.index} | {int(by_k.index.max())})
        row.update({f"pass@{k}": f"{100 * by_k[k]:.1f}%" for k in ks})
        row.update({"completion tokens": int(first["completion_tokens"]),
                    "sampling s": float(first["sampling_seconds"])})
        rows.append(row)
    return pd.DataFrame(rows)


def render_report(summary: pd.DataFrame, varying: list, title: str, description: str = "") -> str:
    png = base64.b64encode(figure_png(plot_pass_at_k(summary))).decode("ascii")
    table = headline_table(summary, varying).to_html(index=False, border=0, classes="summary", na_rep="")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table.summary {{ border-collapse: collapse; font-size: 0.9rem; }}
table.summary th, table.summary td {{ padding: 0.3rem 0.6rem; border-bottom: 1px solid #ddd; text-align: right; }}
figure {{ margin: 1.5rem 0; }} figcaption {{ color: #555; font-size: 0.9rem; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>{html.escape(description)}</p>
<figure><img alt="pass@k against k" src="data:image/png;base64,{png}">
<figcaption>Unbiased pass@k (Chen et al. 2021) averaged over problems, for every k up to the
samples drawn per problem; k on a log axis.</figcaption></figure>
<h2>Summary</h2>
{table}
<p>Every row of <code>results/summary.csv</code> holds one cell and one k with the cell's full config.</p>
</body></html>
"""
