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
    # every k at once: rows k = 1..n, columns j = 0..f, zero where no k-subset holds j passers
    k, j = np.arange(1, n + 1)[:, None], np.arange(f + 1)[None, :]
    held = (j <= k) & (k - j <= w)
    m = np.minimum(j, s)
    r = np.where(held, np.minimum(s - m, k - j), 0)
    none = none_right(f, fc, m) * none_right(w, wc, r)
    return np.sum(np.where(held, hypergeom.pmf(j, n, f, k), 0.0) * (1.0 - none), axis=1)


class Filter(Strategy):
    name, title, needs_shown = "filter", "a random sample passing the shown tests", True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        return exactly(filter_curve(pool, submissions), np.arange(1, pool.n + 1, dtype=float))


STRATEGY = Filter()
