"""The systems a grid's cells are measured against: cited ones (a published
pass@1, analysis.references) and measured ones (a cell whose model is a
reference, e.g. a large model's published samples judged in this grid, with
its interval). Where both name one system, the measured one stands."""
from dataclasses import asdict

import pandas as pd

from passgrid import PassgridError

REFERENCE_COLUMNS = ["name", "pass_at_1", "pass_at_1_lo", "pass_at_1_hi", "kind", "cell", "source", "dataset",
                     "problems", "cost_usd_per_problem"]


def measured_references(summary: pd.DataFrame, reference_cells: dict) -> list:
    """One per reference cell (cell id -> model name): its pass@1 and interval,
    on its own problems."""
    refs = []
    for cell, name in reference_cells.items():
        first = summary[(summary["cell"] == cell) & (summary["k"] == 1)].iloc[0]
        refs.append({"name": name, "pass_at_1": float(first["pass_at_k"]), "pass_at_1_lo": float(first["pass_at_k_lo"]),
                     "pass_at_1_hi": float(first["pass_at_k_hi"]), "kind": "measured", "cell": cell,
                     "source": f"measured in this grid: cell {cell}, {int(first['n_problems'])} problems",
                     "dataset": first.get("dataset.name"), "problems": int(first["n_problems"]),
                     "cost_usd_per_problem": _per_problem(first.get("cost_usd"), first["n_problems"])})
    return refs


def _per_problem(total, problems):
    """A cost over the benchmark, per problem; None where none was recorded
    (a samples file without token counts or prices)."""
    return None if total is None or pd.isna(total) else float(total) / int(problems)


def all_references(cited: list, measured: list) -> list:
    """The measured references, then the cited ones (analysis.references, the
    schema's ReferenceConfigs) no measurement replaces. Two references of one
    name would be two lines the reader cannot tell apart: an error."""
    names = [r["name"] for r in measured]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise PassgridError(f"two reference cells measure {twice[0]!r} (model.name): give each its own name")
    return measured + [{**asdict(r), "pass_at_1_lo": None, "pass_at_1_hi": None, "kind": "cited", "cell": None}
                       for r in cited if r.name not in names]


def measured_on(ref: dict) -> str:
    """': on DATASET, N problems' where a reference says (as read back from
    references.csv too); '' where a cited one does not."""
    dataset, problems = ref.get("dataset"), ref.get("problems")
    if dataset is None or pd.isna(dataset) or problems is None or pd.isna(problems):
        return ""
    return f": on {dataset}, {int(problems)} problems"


def measured_interval(ref: dict):
    """(lo, hi) of a measured reference's pass@1; None for a cited one (also
    as read back from references.csv, where it is empty)."""
    lo, hi = ref.get("pass_at_1_lo"), ref.get("pass_at_1_hi")
    return None if lo is None or pd.isna(lo) else (lo, hi)
