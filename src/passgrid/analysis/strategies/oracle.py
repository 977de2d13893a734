"""The oracle: any of k samples right (pass@k), as if someone pointed at the
right one. Of s submissions it is pass@k all the same: an upper bound on
every strategy."""
import numpy as np

from passgrid.analysis.passk import pass_at_k_curve
from passgrid.analysis.strategies.base import ORDERS, Curve, Pool, Strategy, exactly


class Oracle(Strategy):
    name, title = "pass", "any of k right (oracle)"

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        n = pool.n
        return exactly(pass_at_k_curve(n, int(np.sum(pool.correct))), np.arange(1, n + 1, dtype=float))


STRATEGY = Oracle()
