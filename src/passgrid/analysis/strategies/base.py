"""What every strategy is given (a problem's Pool of samples) and gives (its
Curve over k), and the interface it implements."""
from dataclasses import dataclass

import numpy as np

# Random orderings per problem where a strategy is estimated, unless told
# (the grid's analysis.selection_orders, whose default this is)
ORDERS = 200


@dataclass(frozen=True)
class Pool:
    """One problem's n samples, as a user could see them and as the tests
    judged them: `correct` (passed the hidden tests), `shown_passed` (passed
    every test the statement shows: all of them where it shows none),
    `examples_passed` (how many of those), `signature` (a digest of its
    outputs on them and on the model-written tests' inputs, where there are
    some; its verdict where it did not run through the shown tests), and
    whether the statement shows any test (`shown`); where the problem has
    model-written tests (passgrid.datasets.written_tests), which of them each
    sample passed (`written_passed`: a frozenset of their positions, of those
    it answered before the time limit where it did not reach them all) and how often each was written
    (`written_weights`); each sample's mean token log-probability, where its
    backend recorded one (`logprob`, NaN where not)."""
    correct: np.ndarray
    shown_passed: np.ndarray = None
    examples_passed: np.ndarray = None
    signature: list = None
    shown: bool = False
    written_passed: tuple = ()
    written_weights: tuple = ()
    logprob: np.ndarray = None

    @property
    def n(self) -> int:
        return len(self.correct)


@dataclass(frozen=True)
class Curve:
    """A strategy's value on one problem at k = 1..n (the chance that a
    submission is right), the Monte Carlo variance of each value (zeros where
    it is exact), and the expected number of samples drawn at each k."""
    value: np.ndarray
    variance: np.ndarray
    drawn: np.ndarray


class Strategy:
    """Picks what to submit among k samples. Subclasses set `name` (the
    summary's columns: NAME_at_k, and NAME_drawn where it `saves_samples`:
    draws fewer than k), `title` (the report's words), `exact` (else its
    Monte Carlo error is reported), `needs_shown` (whether it needs the tests
    a statement shows; a problem without them falls back as its module
    says), `needs_written` (model-written tests, likewise), `needs_logprob`
    (every sample's log-probability, likewise), and implement `curve`."""
    name = "base"
    title = ""
    exact = True
    needs_shown = False
    needs_written = False
    needs_logprob = False
    saves_samples = False

    def falls_back(self, pool: Pool) -> bool:
        """Whether the problem lacks what it needs, so that it falls back (as
        its module says): no test shown, no model-written test, a sample
        without a log-probability."""
        return ((self.needs_shown and not pool.shown) or (self.needs_written and not pool.written_weights)
                or (self.needs_logprob and (pool.logprob is None or bool(np.isnan(pool.logprob).any()))))

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        """The problem's Curve when `submissions` samples are submitted
        (solved if any is right). `orders`, `rng`: an estimator's random
        orderings, where it is not exact."""
        raise NotImplementedError


def exactly(value: np.ndarray, drawn: np.ndarray) -> Curve:
    return Curve(value, np.zeros_like(value), drawn)
