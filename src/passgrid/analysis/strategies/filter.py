"""Filter on the tests the statement shows, then submit: among k samples,
s submissions taken at random from those that pass every shown test, and
where fewer pass, the rest at random from the others (AlphaCode's
filtering, without its clustering).

Exact at every k. With n samples, f of which pass the shown tests (fc of
them right) and w = n - f that do not (wc right), a uniform k-subset holds
j passers with the hypergeometric chance H(j); given j, the passers it holds
are a uniform j-subset of the f, and the others a uniform (k - j)-subset of
the w. So the m = min(j, s) passers submitted are a uniform m-subset of the
f, the r = min(s - m, k - j) others a uniform r-subset of the w, and

    value(k) = sum_j H(j) [1 - C(f - fc, m)/C(f, m) * C(w - wc, r)/C(w, r)].

A problem whose statement shows no test passes every sample (f = n): the
submissions are random, pass@min(s, k)."""
import numpy as np

from passgrid.analysis.passk import none_right
from passgrid.analysis.strategies.base import ORDERS, Curve, Pool, Strategy, exactly


def filter_curve(pool: Pool, submissions: int) -> np.ndarray:
    from scipy.stats import hypergeom  # imported when scored, not when the summary's columns are listed

    n, s = pool.n, submissions
    passed, correct = np.asarray(pool.shown_passed, bool), np.asarray(pool.correct, bool)
    f, fc = int(passed.sum()), int((passed & correct).sum())
    w, wc = n - f, int((~passed & correct).sum())
    values = np.empty(n)
    for k in range(1, n + 1):
        j = np.arange(max(0, k - w), min(k, f) + 1)
        m = np.minimum(j, s)
        r = np.minimum(s - m, k - j)
        none = none_right(f, fc, m) * none_right(w, wc, r)
        values[k - 1] = float(np.sum(hypergeom.pmf(j, n, f, k) * (1.0 - none)))
    return values


class Filter(Strategy):
    name, title, needs_shown = "filter", "a random sample passing the shown tests", True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        return exactly(filter_curve(pool, submissions), np.arange(1, pool.n + 1, dtype=float))


STRATEGY = Filter()
