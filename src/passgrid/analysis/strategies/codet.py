"""CodeT's dual execution agreement (Chen et al. 2022; its released code,
CodeT/src/agreement.py and evaluation.py): among k samples, those that pass
the same set of model-written tests form a group, scored (number of tests
in the set, with their multiplicity) x sqrt(samples in the group); samples
that pass none take no part. Groups are ranked and submitted from as
passgrid.analysis.strategies.ranked says (equal scores merged, s
submissions round the best groups; pass@min(s, k) where no sample passes a
written test, or the problem has none: CodeT's fallback).

Scores are compared exactly (as the integers score^2 = W^2 x size), where
CodeT compares floats: a tie CodeT's rounding splits, this merges."""
import numpy as np

from passgrid.analysis.strategies.base import ORDERS, Curve, Pool, Strategy
from passgrid.analysis.strategies.ranked import ranked_curve, ranked_value


def agreement_value(passed: list, correct, weights, submissions: int) -> float:
    """The chance that one of `submissions` picks is right, on these samples:
    `passed` (each one's frozenset of written tests passed), `correct`."""
    return ranked_value(_groups(passed), _scorer(weights), correct, submissions)


def _groups(passed: list) -> list:
    return [tests if tests else None for tests in passed]


def _scorer(weights):
    weight_of = {}

    def score(tests: frozenset, size: int) -> int:
        if tests not in weight_of:
            weight_of[tests] = sum(weights[t] for t in tests)
        return weight_of[tests] ** 2 * size
    return score


class CodeT(Strategy):
    name, title, exact, needs_written = "codet", "CodeT's dual agreement with model-written tests", False, True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = ORDERS, rng=None) -> Curve:
        passed = list(pool.written_passed) or [frozenset()] * pool.n
        value, variance = ranked_curve(_groups(passed), _scorer(pool.written_weights), pool.correct, submissions,
                                       orders, rng if rng is not None else np.random.default_rng(0))
        return Curve(value, variance, np.arange(1, pool.n + 1, dtype=float))


STRATEGY = CodeT()
