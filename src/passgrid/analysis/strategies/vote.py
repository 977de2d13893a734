"""Examples, then a vote (passgrid.analysis.selection): among k samples,
those that pass the most shown tests, then the largest group of them that
agree on every shown test's output (behaviour clustering with a vote, as in
AlphaCode and CodeT); one submission. Estimated from random orderings of
the samples, with its Monte Carlo variance; exact at k = 1 and k = n."""
import numpy as np

from passgrid.analysis import selection
from passgrid.analysis.strategies.base import Curve, Pool, Strategy


class Vote(Strategy):
    name, title, exact, needs_shown = "selected", "the shown tests, then a vote on their outputs", False, True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = 200, rng=None) -> Curve:
        if submissions != 1:
            raise ValueError("the vote submits one sample")
        value, variance = selection.selected_curve(pool.examples_passed, pool.signature,
                                                   np.asarray(pool.correct, float), orders, rng)
        return Curve(value, variance, np.arange(1, pool.n + 1, dtype=float))


STRATEGY = Vote()
