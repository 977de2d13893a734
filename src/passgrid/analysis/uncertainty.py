"""How sure a pass@k curve is: a bootstrap over problems.

The problems of a benchmark are a sample of the problems one cares about, and
a curve's uncertainty is mostly theirs: resampling the problems (with
replacement, as many as there are) and recomputing the mean curve gives the
spread. Each replicate is a whole curve, so a fit or a crossing point can be
recomputed on every replicate too. The finite number of samples per problem
adds a little more spread that this leaves out (with n >= 100 it is small
beside the problems').
"""
import numpy as np
import pandas as pd

from passgrid.analysis.passk import pass_at_k_curve

METHOD = "percentile bootstrap over problems"


def problem_curves(per_problem: pd.DataFrame) -> np.ndarray:
    """problems x k: each problem's unbiased pass@k for k = 1..min n."""
    k_max = int(per_problem["n"].min())
    return np.stack([pass_at_k_curve(int(n), int(c))[:k_max] for n, c in zip(per_problem["n"], per_problem["c"])])


def bootstrap_weights(problems: int, replicates: int, seed: int) -> np.ndarray:
    """replicates x problems: how often each problem is drawn in each resample."""
    return np.random.default_rng(seed).multinomial(problems, np.full(problems, 1.0 / problems), size=replicates)


def bootstrap_curves(curves: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """replicates x k: the mean curve over problems resampled with replacement."""
    return bootstrap_weights(curves.shape[0], replicates, seed) @ curves / curves.shape[0]


def interval(replicates: np.ndarray, level: float, axis: int = 0):
    """The percentile interval of each column (or row) of the replicates."""
    tail = (1.0 - level) / 2 * 100
    return np.percentile(replicates, tail, axis=axis), np.percentile(replicates, 100 - tail, axis=axis)


def pass_at_k_with_interval(per_problem: pd.DataFrame, level: float, replicates: int, seed: int):
    """(table k, pass_at_k, pass_at_k_lo, pass_at_k_hi; the replicate curves)."""
    curves = problem_curves(per_problem)
    boot = bootstrap_curves(curves, replicates, seed)
    lo, hi = interval(boot, level)
    table = pd.DataFrame({"k": np.arange(1, curves.shape[1] + 1), "pass_at_k": curves.mean(axis=0),
                          "pass_at_k_lo": lo, "pass_at_k_hi": hi})
    return table, boot
