"""How sure a pass@k curve is, for the population of problems that the
benchmark's problems are a sample of (not for these very problems: their
samples' noise is in it, but the interval is about problems like them).

The problems are resampled by a Bayesian bootstrap under a Dirichlet-process
prior: each replicate weighs the problems by Dirichlet(1, ..., 1, a/2, a/2),
where the last two are unseen problems, one never solved and one always
solved, and a = PRIOR_MASS. Each replicate is a whole curve (so a fit or a
crossing is recomputed on every replicate too).

Why not the plain bootstrap over problems: once every problem is solved at
least once, every resample is 1 and the interval has no width, though 24
problems cannot rule out that one problem in eight is never solved. With
the two unseen problems, at k = n, where each problem is simply solved or
not, the interval is exactly the Jeffreys interval for x of P, Beta(x + 1/2,
P - x + 1/2), whose coverage holds near 0 and 1 (Brown, Cai & DasGupta
2001); in the mid-range it is the bootstrap's. The interval always holds the
estimate, so at 0 of P it starts at 0 and at P of P it ends at 1 (their
modification of Jeffreys'). Coverage by simulation:
bench/interval_coverage.py.
"""
import numpy as np
import pandas as pd

from passgrid.analysis.passk import pass_at_k_curve

PRIOR_MASS = 1.0  # the unseen problems' total weight, in problems: half never solved, half always
METHOD = (f"Bayesian bootstrap over problems, with a prior weight of {PRIOR_MASS:g} problem on unseen ones "
          "(half never solved, half always)")

# Where the intervals cover their level, as bench/interval_coverage.py finds
# it (its figures: docs/measurements.md); the report says so beside them.
COVERAGE = ("they are for the population of problems these are drawn from, and in simulation cover it at their "
            "level within about 0.02 (24 to 164 problems, 8 to 1000 samples, success rates mid-range, near 0, near "
            "1 or a share never solved), except where pass@k lies within a point of 100%: there they are "
            "conservative, wider than they need be")


def problem_curves(per_problem: pd.DataFrame) -> np.ndarray:
    """problems x k: each problem's unbiased pass@k for k = 1..min n."""
    k_max = int(per_problem["n"].min())
    return np.stack([pass_at_k_curve(int(n), int(c))[:k_max] for n, c in zip(per_problem["n"], per_problem["c"])])


def posterior_weights(problems: int, replicates: int, seed: int) -> np.ndarray:
    """replicates x (problems + 2): each replicate's weight on every problem,
    then on the unseen never-solved and always-solved problems (rows sum to 1)."""
    prior = np.concatenate([np.ones(problems), [PRIOR_MASS / 2, PRIOR_MASS / 2]])
    return np.random.default_rng(seed).dirichlet(prior, size=replicates)


def with_unseen(values: np.ndarray) -> np.ndarray:
    """values (problems, or problems x k) with the unseen problems' rows
    appended: 0 (never solved), then 1 (always solved)."""
    values = np.asarray(values, dtype=float)
    bounds = np.stack([np.zeros(values.shape[1:]), np.ones(values.shape[1:])])
    return np.concatenate([values, bounds])


def with_unseen_counts(n, c) -> tuple:
    """Problems' (n, c) counts with the unseen problems' appended, in
    with_unseen's order: n samples (the fewest any problem has), none
    correct, then all."""
    n, c = np.asarray(n, dtype=float), np.asarray(c, dtype=float)
    unseen = n.min()
    return np.append(n, [unseen, unseen]), np.append(c, [0.0, unseen])


def replicate_curves(curves: np.ndarray, replicates: int, seed: int) -> np.ndarray:
    """replicates x k: the problems' mean curve under each replicate's weights."""
    return posterior_weights(curves.shape[0], replicates, seed) @ with_unseen(curves)


def interval(replicates: np.ndarray, level: float, point=None, axis: int = 0, method: str = "linear"):
    """The percentile interval of each column (or row) of the replicates,
    widened where needed to hold `point` (the estimate); `method`: numpy's
    (nearest rank where values may be infinite)."""
    tail = (1.0 - level) / 2 * 100
    lo, hi = (np.percentile(replicates, q, axis=axis, method=method) for q in (tail, 100 - tail))
    if point is None:
        return lo, hi
    return np.minimum(lo, point), np.maximum(hi, point)


def mean_with_interval(values: np.ndarray, level: float, replicates: int, seed: int):
    """(mean over problems, lo, hi; the replicates) of values, problems x k."""
    boot = replicate_curves(values, replicates, seed)
    point = values.mean(axis=0)
    lo, hi = interval(boot, level, point)
    return point, lo, hi, boot


def pass_at_k_with_interval(per_problem: pd.DataFrame, level: float, replicates: int, seed: int):
    """(table k, pass_at_k, pass_at_k_lo, pass_at_k_hi; the replicate curves)."""
    point, lo, hi, boot = mean_with_interval(problem_curves(per_problem), level, replicates, seed)
    table = pd.DataFrame({"k": np.arange(1, len(point) + 1), "pass_at_k": point, "pass_at_k_lo": lo,
                          "pass_at_k_hi": hi})
    return table, boot
