"""Mixing configurations on the same problems (temperatures, prompts,
models): a_i samples from configuration i, a problem solved if any of them
is right. For a fixed split the value is exact, from each problem's counts
(n_i, c_i) under each:

    mix(a_1, ..., a_m) = mean over problems of 1 - prod_i C(n_i - c_i, a_i)/C(n_i, a_i).

At each total budget t = sum a_i the best split is chosen: over every split
where there are at most SPLITS_EXHAUSTIVE of them, else by adding, to the
best split at t - 1, the sample that helps most (a greedy search; the value
of the split it finds is still exact). Chosen on the same problems it is
measured on, the best split is optimistic; so it is chosen on half of the
problems and scored on the other half, both ways (2-fold cross-fitting; a
greedy search grows a path of its own on each half), and that value, with
its interval over problems (the same method as pass@k's), is reported
beside the split chosen on all of them. Beside it, the best configuration
alone at t samples (chosen on all the problems)."""
import itertools
from math import comb

import numpy as np
import pandas as pd

from passgrid.analysis.passk import none_right
from passgrid.analysis.uncertainty import mean_with_interval

MIX_COLUMNS = ("cells", "problems", "total", "split", "mix_at_total", "mix_at_total_lo", "mix_at_total_hi",
               "mix_in_sample", "best_alone", "best_alone_cell")
SPLITS_EXHAUSTIVE = 2_000  # splits of one total budget searched one by one, at most


def mix_rows(counts: dict, analysis) -> list:
    """One row per total budget t = 1..sum n_i. `counts`: cell -> its
    problems' task_id, n, c, on the same problems; `analysis`: the interval's
    level, replicates and seed (the schema's AnalysisConfig)."""
    cells = list(counts)
    joined = _joined(counts)
    sizes = [int(joined[f"n_{i}"].min()) for i in range(len(cells))]
    misses = [_misses(joined[f"n_{i}"], joined[f"c_{i}"], n) for i, n in enumerate(sizes)]  # problems x (0..n_i)
    folds = np.arange(len(joined)) % 2
    # the best split so far on all the problems and on each half's complement (greedy paths)
    paths = {"all": tuple([0] * len(cells)), 0: tuple([0] * len(cells)), 1: tuple([0] * len(cells))}
    rows, crossed = [], []
    for total in range(1, sum(sizes) + 1):
        scored = np.empty(len(joined))
        every = list(_compositions(total, sizes)) if _count_splits(total, sizes) <= SPLITS_EXHAUSTIVE else None
        solved_every = _solved(every, misses) if every else None  # the three searches share them
        for path in ("all", 0, 1):
            splits = every or _grown(paths[path], sizes)
            solved = solved_every if every else _solved(splits, misses)
            chooses = np.ones(len(joined), bool) if path == "all" else folds != path
            best = int(np.argmax(solved[:, chooses].mean(axis=1)))
            paths[path] = splits[best]
            if path == "all":
                in_sample = float(solved[best].mean())
            else:  # chosen on one half, scored on the other
                scored[folds == path] = solved[best, folds == path]
        crossed.append(scored)
        alone = {cell: float(1 - m[:, total].mean()) for cell, m, n in zip(cells, misses, sizes) if total <= n}
        top = max(alone, key=alone.get) if alone else None
        rows.append({"cells": " + ".join(cells), "problems": len(joined), "total": total,
                     "split": "+".join(map(str, paths["all"])), "mix_in_sample": in_sample,
                     "best_alone": alone.get(top), "best_alone_cell": top})
    point, lo, hi, _ = mean_with_interval(np.stack(crossed, axis=1), analysis.level, analysis.bootstrap, analysis.seed)
    return [{**row, "mix_at_total": float(p), "mix_at_total_lo": float(low), "mix_at_total_hi": float(high)}
            for row, p, low, high in zip(rows, point, lo, hi)]


def _joined(counts: dict) -> pd.DataFrame:
    frames = [c[["task_id", "n", "c"]].rename(columns={"n": f"n_{i}", "c": f"c_{i}"}) for i, c in enumerate(counts.values())]
    joined = frames[0]
    for frame in frames[1:]:
        joined = joined.merge(frame, on="task_id")
    if any(len(joined) != len(c) for c in counts.values()):
        raise ValueError(f"{' and '.join(counts)} are not measured on the same problems")
    return joined


def _solved(splits: list, misses: list) -> np.ndarray:
    """Each split's chance, per problem, that one of its samples is right: splits x problems."""
    chosen = np.array(splits)  # splits x configurations
    return 1.0 - np.prod([m[:, chosen[:, i]] for i, m in enumerate(misses)], axis=0).T


def _grown(previous: tuple, sizes: list) -> list:
    """The greedy search's splits: `previous` (the best at total - 1) with one
    more sample from each configuration that has one left."""
    return [previous[:i] + (a + 1,) + previous[i + 1:] for i, a in enumerate(previous) if a < sizes[i]]


def _compositions(total: int, sizes: list):
    """Every (a_1, ..., a_m) with a_i <= n_i summing to `total`, lexicographic;
    only feasible prefixes are walked, so the work follows their number."""
    if len(sizes) == 1:
        if total <= sizes[0]:
            yield (total,)
        return
    rest = sum(sizes[1:])
    for a in range(max(0, total - rest), min(sizes[0], total) + 1):
        for tail in _compositions(total - a, sizes[1:]):
            yield (a, *tail)


def _count_splits(total: int, sizes: list) -> int:
    """How many splits of `total` with a_i <= n_i (inclusion-exclusion over the caps)."""
    m, found = len(sizes), 0
    for r in range(m + 1):
        for capped in itertools.combinations(sizes, r):
            rest = total - sum(n + 1 for n in capped)
            found += (-1) ** r * (comb(rest + m - 1, m - 1) if rest >= 0 else 0)
    return found


def _misses(n, c, most: int) -> np.ndarray:
    """Each problem's chance that j of its samples, j = 0..most, are all wrong."""
    return np.stack([none_right(int(total), int(right), np.arange(most + 1)) for total, right in zip(n, c)])
