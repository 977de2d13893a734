"""Draw one sample at a time and stop at the first that passes the tests the
statement shows, drawing k at most; submit it (or, where none passed, the
samples last drawn). It submits what `filter` does, a uniform passer, so
its value is filter's; what it saves is samples: the expected number drawn
at a budget of k is

    sum_{i=0}^{k-1} C(w, i) / C(n, i),

the chance that the first i drawn all fail, summed (w of the n samples fail
the shown tests). With s submissions it stops at the s-th passer. A problem
whose statement shows no test stops at once: one sample per submission."""
import numpy as np

from passgrid.analysis.strategies.base import ORDERS, Curve, Pool, Strategy, exactly
from passgrid.analysis.strategies.filter import filter_curve


def samples_drawn(pool: Pool, submissions: int) -> np.ndarray:
    """Expected draws, at each budget k = 1..n, until the s-th passer: the sum
    over i < k of the chance that fewer than s of the first i pass."""
    from scipy.stats import hypergeom  # imported when scored, not when the summary's columns are listed

    f = int(np.sum(pool.shown_passed))
    return np.cumsum(hypergeom.cdf(submissions - 1, pool.n, f, np.arange(pool.n)))  # draws before the (i+1)-th


class FirstPass(Strategy):
    name, title, needs_shown = "first_pass", "the first sample drawn that passes the shown tests", True
    saves_samples = True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        return exactly(filter_curve(pool, submissions), samples_drawn(pool, submissions))


STRATEGY = FirstPass()
