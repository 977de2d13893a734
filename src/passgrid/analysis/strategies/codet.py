"""CodeT's dual execution agreement (Chen et al. 2022; its released code,
CodeT/src/agreement.py and evaluation.py): among k samples, those that pass
the same set of model-written tests form a group, scored (number of tests
in the set, with their multiplicity) x sqrt(samples in the group); samples
that pass none take no part. Groups of equal score are merged; s
submissions go one to each of the s best-scored groups, a random sample
from each, and where there are fewer groups than s, the extra submissions
go round the groups again (drawn with replacement, as CodeT computes it).
Where no sample passes any written test (or the problem has none), the
submissions are random: pass@min(s, k), CodeT's fallback.

Scores are compared exactly (as the integers score^2 = W^2 x size), where
CodeT compares floats: a tie CodeT's rounding splits, this merges.

Estimated at each k from random orderings of the n samples (an ordering's
first k are a uniform k-subset), with its Monte Carlo variance; exact at
k = 1 (the sample itself, as with any strategy) and at k = n (the whole
pool, CodeT's own s@n)."""
import numpy as np

from passgrid.analysis.strategies.base import Curve, Pool, Strategy, avoid


def agreement_value(passed: list, correct, weights, submissions: int) -> float:
    """The chance that one of `submissions` picks is right, on these samples:
    `passed` (each one's frozenset of written tests passed), `correct`."""
    tiers = _tiers(_groups(passed, correct), weights)
    if not tiers:
        n = len(correct)
        return 1.0 - float(avoid(n, int(np.sum(correct)), np.array([min(submissions, n)]))[0])
    return _value([tiers[key] for key in sorted(tiers, reverse=True)], submissions)


def _groups(passed, correct) -> dict:
    groups = {}
    for tests, right in zip(passed, correct):
        if tests:
            group = groups.setdefault(tests, [0, 0])
            group[0] += 1
            group[1] += int(right)
    return groups


def _tiers(groups: dict, weights) -> dict:
    """score^2 -> [samples, right ones] over the groups of that score."""
    tiers = {}
    for tests, (size, right) in groups.items():
        weight = sum(weights[t] for t in tests)
        tier = tiers.setdefault(weight * weight * size, [0, 0])
        tier[0] += size
        tier[1] += right
    return tiers


def _value(ranked: list, submissions: int) -> float:
    """1 - the chance every pick is wrong: CodeT's choose counts over the
    ranked tiers ([samples, right ones], best first)."""
    counts = [1] * min(submissions, len(ranked))
    for extra in range(submissions - len(counts)):
        counts[extra % len(counts)] += 1
    wrong = 1.0
    for (size, right), count in zip(ranked, counts):
        wrong *= (1.0 - right / size) ** count
    return 1.0 - wrong


class CodeT(Strategy):
    name, title, exact, needs_written = "codet", "CodeT's dual agreement with model-written tests", False, True

    def curve(self, pool: Pool, submissions: int = 1, orders: int = 200, rng=None) -> Curve:
        n, correct = pool.n, np.asarray(pool.correct, int)
        passed = list(pool.written_passed) or [frozenset()] * n
        weights = pool.written_weights
        rng = rng if rng is not None else np.random.default_rng(0)
        picks = np.empty((max(orders, 1), n))
        for row in range(picks.shape[0]):
            order = rng.permutation(n)
            groups, tiers = {}, {}
            for k in range(1, n + 1):
                i = order[k - 1]
                _join(groups, tiers, passed[i], int(correct[i]), weights)
                live = [tiers[key] for key in sorted(tiers, reverse=True) if tiers[key][0]]
                picks[row, k - 1] = (_value(live, submissions) if live else
                                     1.0 - float(avoid(k, int(correct[order[:k]].sum()),
                                                       np.array([min(submissions, k)]))[0]))
        value = picks.mean(axis=0)
        variance = picks.var(axis=0, ddof=1) / orders if orders > 1 else np.zeros(n)
        value[0], variance[0] = np.mean(correct), 0.0
        value[-1] = agreement_value(passed, correct, weights, submissions)
        variance[-1] = 0.0
        return Curve(value, variance, np.arange(1, n + 1, dtype=float))


def _join(groups: dict, tiers: dict, tests: frozenset, right: int, weights) -> None:
    """A sample joins its group; the group moves up to its new score's tier."""
    if not tests:
        return
    size, rights = groups.get(tests, (0, 0))
    weight = sum(weights[t] for t in tests)
    if size:
        old = tiers[weight * weight * size]
        old[0] -= size
        old[1] -= rights
    groups[tests] = (size + 1, rights + right)
    tier = tiers.setdefault(weight * weight * (size + 1), [0, 0])
    tier[0] += size + 1
    tier[1] += rights + right


STRATEGY = CodeT()
