"""Examples, then a vote (passgrid.analysis.selection): among k samples,
those that pass the most shown tests, then the largest group of them that
agree on every shown test's output and, where the problem has model-written
tests, on every output on their inputs (behaviour clustering with a vote, as
in AlphaCode and CodeT). One submission: selection's estimator, along random
orderings. s submissions: one to each of the s best groups, ranked by tests
passed then size (passgrid.analysis.strategies.ranked), as AlphaCode submits
one sample from each of its largest clusters. Both with their Monte Carlo
variance; exact at k = 1 and k = n."""
import numpy as np

from passgrid.analysis import selection
from passgrid.analysis.strategies.base import ORDERS, Curve, Pool, Strategy
from passgrid.analysis.strategies.ranked import ranked_curve


class Vote(Strategy):
    name, title, exact = "selected", "the shown tests, then a vote on the outputs", False

    def falls_back(self, pool: Pool) -> bool:
        """With no test shown and none written, a pick is a random sample."""
        return not pool.shown and not pool.written_weights

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        rng = rng if rng is not None else np.random.default_rng(0)
        if submissions == 1:
            value, variance = selection.selected_curve(pool.examples_passed, pool.signature,
                                                       np.asarray(pool.correct, float), orders, rng)
        else:
            cluster, tier, _ = selection.clusters(np.asarray(pool.examples_passed), pool.signature,
                                                  np.asarray(pool.correct, float))
            value, variance = ranked_curve(list(cluster), lambda g, size: (tier[g], size), pool.correct,
                                           submissions, orders, rng)
        return Curve(value, variance, np.arange(1, pool.n + 1, dtype=float))


STRATEGY = Vote()
