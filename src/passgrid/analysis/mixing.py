"""Mixing two configurations on the same problems (two temperatures, two
prompts, two models): a samples from one and b from the other, a problem
solved if any of the a + b is right. For a fixed split the value is exact,
from each problem's counts (n, c) in each:

    mix(a, b) = mean over problems of 1 - C(nA - cA, a)/C(nA, a) x C(nB - cB, b)/C(nB, b).

At each total budget t = a + b the best split is chosen. Chosen on the same
problems it is measured on, it is optimistic; so the split is chosen on half
of the problems and scored on the other half, both ways (2-fold
cross-fitting), and that is the value reported beside the split chosen on
all of them."""
import numpy as np
import pandas as pd

from passgrid.analysis.passk import none_right

MIX_COLUMNS = ("cell_a", "cell_b", "problems", "total", "a", "b", "mix_at_total", "mix_in_sample", "a_alone",
               "b_alone")


def mix_rows(cell_a: str, counts_a: pd.DataFrame, cell_b: str, counts_b: pd.DataFrame) -> list:
    """One row per total budget t = 1..nA + nB: the split (a, b) chosen on
    all the problems, its cross-fitted value (mix_at_total), its value on the
    problems it was chosen on (mix_in_sample), and each configuration alone at
    t samples where it has that many. `counts_*`: per problem task_id, n, c,
    on the same problems."""
    joined = counts_a.merge(counts_b, on="task_id", suffixes=("_a", "_b"))
    if len(joined) != len(counts_a) or len(joined) != len(counts_b):
        raise ValueError(f"{cell_a} and {cell_b} are not measured on the same problems")
    n_a, n_b = int(joined["n_a"].min()), int(joined["n_b"].min())
    miss_a = _misses(joined["n_a"], joined["c_a"], n_a)  # problems x (0..nA): all a samples wrong
    miss_b = _misses(joined["n_b"], joined["c_b"], n_b)
    folds = np.arange(len(joined)) % 2
    rows = []
    for total in range(1, n_a + n_b + 1):
        splits = [(a, total - a) for a in range(max(0, total - n_b), min(total, n_a) + 1)]
        solved = np.array([1.0 - miss_a[:, a] * miss_b[:, b] for a, b in splits])  # splits x problems
        best = int(np.argmax(solved.mean(axis=1)))
        crossed = np.empty(len(joined))
        for fold in (0, 1):  # chosen on one half, scored on the other
            chosen = int(np.argmax(solved[:, folds != fold].mean(axis=1)))
            crossed[folds == fold] = solved[chosen, folds == fold]
        a, b = splits[best]
        rows.append({"cell_a": cell_a, "cell_b": cell_b, "problems": len(joined), "total": total, "a": a, "b": b,
                     "mix_at_total": float(crossed.mean()), "mix_in_sample": float(solved[best].mean()),
                     "a_alone": float(1 - miss_a[:, total].mean()) if total <= n_a else None,
                     "b_alone": float(1 - miss_b[:, total].mean()) if total <= n_b else None})
    return rows


def _misses(n, c, most: int) -> np.ndarray:
    """Each problem's chance that j of its samples, j = 0..most, are all wrong."""
    return np.stack([none_right(int(total), int(right), np.arange(most + 1)) for total, right in zip(n, c)])
