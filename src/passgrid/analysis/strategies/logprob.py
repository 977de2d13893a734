"""Rank by the model's own confidence: among k samples, submit the s with
the highest mean token log-probability (Chen et al. 2021, "mean logp"),
ties broken at random.

Exact at every k. Sort the pool by score, best first; ties are one group,
whose order is a uniformly random arrangement of its right and wrong
samples. For a fixed order, the s' = min(s, k) submitted are all wrong
exactly when the s'-th chosen sample sits at a wrong position r, the
s' - 1 chosen before it are among the i wrong ones ahead of r, and the
k - s' after it among the n - 1 - r behind:

    fail(k) = sum_r P(r wrong, i wrong ahead) C(i, s' - 1) C(n - 1 - r, k - s') / C(n, k),

where the chance over a group's arrangement (g samples, b wrong, r its
p-th place, j of its wrong ones ahead) is C(p, j) C(g - p - 1, b - 1 - j) / C(g, b).

A problem where any sample lacks a log-probability (a backend or samples
file that records none) ranks nothing: every sample ties, and the
submissions are random, pass@min(s, k)."""
import math

import numpy as np

from passgrid.analysis.passk import none_right
from passgrid.analysis.strategies.base import ORDERS, Curve, Pool, Strategy, exactly


def _log_comb(a: np.ndarray, b) -> np.ndarray:
    """log C(a, b) elementwise; -inf where b < 0 or b > a."""
    from scipy.special import gammaln

    a, b = np.asarray(a, float), np.broadcast_to(np.asarray(b, float), np.shape(a))
    valid = (b >= 0) & (b <= a)
    out = np.full(np.shape(a), -np.inf)
    out[valid] = gammaln(a[valid] + 1) - gammaln(b[valid] + 1) - gammaln(a[valid] - b[valid] + 1)
    return out


def _wrong_places(scores: np.ndarray, correct: np.ndarray):
    """Every (place r, wrong ones ahead i, chance that r is wrong with i
    wrong ahead) over the random order of ties, as three arrays."""
    order = np.argsort(-scores, kind="stable")
    places, ahead, chances = [], [], []
    start, wrong_before = 0, 0
    for value in np.unique(scores[order])[::-1] if len(order) else ():
        group = order[scores[order] == value]
        g, b = len(group), int((~correct[group]).sum())
        for p in range(g):
            for j in range(max(0, b - (g - p)), min(p, b - 1) + 1):
                places.append(start + p)
                ahead.append(wrong_before + j)
                chances.append(math.comb(p, j) * math.comb(g - p - 1, b - 1 - j) / math.comb(g, b))
        start, wrong_before = start + g, wrong_before + b
    return np.array(places, float), np.array(ahead, float), np.array(chances)


def logprob_curve(scores: np.ndarray, correct: np.ndarray, submissions: int) -> np.ndarray:
    """The chance, at each k = 1..n, that one of the s top-ranked of a random k-subset is right."""
    n, correct = len(correct), np.asarray(correct, bool)
    scores = np.asarray(scores, float)
    if n == 0 or np.isnan(scores).any() or (scores == scores[0]).all():  # one tie: s random picks, pass@min(s, k)
        k = np.arange(1, n + 1)
        return 1.0 - none_right(n, int(correct.sum()), np.minimum(submissions, k))
    places, ahead, chances = _wrong_places(scores, correct)
    values = np.empty(n)
    for k in range(1, n + 1):
        s = min(submissions, k)
        log_ways = _log_comb(ahead, s - 1) + _log_comb(n - 1 - places, k - s) - _log_comb(np.array([n]), k)[0]
        values[k - 1] = 1.0 - float(np.sum(chances * np.exp(log_ways)))
    return np.clip(values, 0.0, 1.0)


class LogProb(Strategy):
    name, title, needs_logprob = "logprob", "the highest mean token log-probability", True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        scores = np.full(pool.n, np.nan) if pool.logprob is None else np.asarray(pool.logprob, float)
        return exactly(logprob_curve(scores, pool.correct, submissions), np.arange(1, pool.n + 1, dtype=float))


STRATEGY = LogProb()
