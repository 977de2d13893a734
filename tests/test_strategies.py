"""Every strategy's estimator against brute force: every k-subset (or every
ordering) of a small pool enumerated, the strategy carried out as its
module says, to 1e-12."""
import itertools
from math import comb

import numpy as np
import pytest

from passgrid import PassgridError
from passgrid.analysis.strategies import STRATEGY_NAMES, Pool, strategy

POOLS = {  # (correct, passes the shown tests)
    "mixed": ([1, 0, 1, 0, 0, 1, 0, 0], [1, 1, 0, 0, 1, 1, 0, 0]),
    "passers all wrong": ([0, 0, 1, 0, 0, 0, 1], [1, 1, 0, 0, 0, 0, 0]),
    "none passes": ([1, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0]),
    "shows no test": ([1, 0, 0, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1]),
    "all right": ([1, 1, 1, 1, 1], [1, 0, 1, 0, 1]),
}


def pool_of(correct, passed) -> Pool:
    correct, passed = np.array(correct, bool), np.array(passed, bool)
    return Pool(correct, passed, passed.astype(int), ["x" if p else "timeout" for p in passed], not passed.all())


def chance_one_right(candidates: list, correct: np.ndarray, t: int) -> float:
    """Over every t-subset of `candidates` taken alike: the chance that it holds a right one."""
    if t == 0:
        return 0.0
    subsets = list(itertools.combinations(candidates, t))
    return sum(any(correct[i] for i in chosen) for chosen in subsets) / len(subsets)


def brute_filter(pool: Pool, s: int) -> np.ndarray:
    """s submissions: a uniform choice among a k-subset's passers, the rest among its others."""
    values = []
    for k in range(1, pool.n + 1):
        total = 0.0
        for subset in itertools.combinations(range(pool.n), k):
            passers = [i for i in subset if pool.shown_passed[i]]
            others = [i for i in subset if not pool.shown_passed[i]]
            m = min(len(passers), s)
            r = min(s - m, len(others))
            # the two choices are independent: right unless both miss
            miss = (1 - chance_one_right(passers, pool.correct, m)) * (1 - chance_one_right(others, pool.correct, r))
            total += 1 - miss
        values.append(total / comb(pool.n, k))
    return np.array(values)


def brute_first_pass(pool: Pool, s: int):
    """Every ordering: draw until the s-th passer or k draws; submit the passers
    drawn, and the last drawn others where too few passed."""
    values, drawn = np.zeros(pool.n), np.zeros(pool.n)
    orders = list(itertools.permutations(range(pool.n)))
    for order in orders:
        for k in range(1, pool.n + 1):
            taken, passers = [], []
            for i in order[:k]:
                taken.append(i)
                if pool.shown_passed[i]:
                    passers.append(i)
                    if len(passers) == s:
                        break
            others = [i for i in taken if not pool.shown_passed[i]]
            submitted = passers + others[len(others) - min(s - len(passers), len(others)):]
            values[k - 1] += any(pool.correct[i] for i in submitted)
            drawn[k - 1] += len(taken)
    return values / len(orders), drawn / len(orders)


def brute_oracle(pool: Pool) -> np.ndarray:
    return np.array([np.mean([any(pool.correct[i] for i in subset)
                              for subset in itertools.combinations(range(pool.n), k)]) for k in range(1, pool.n + 1)])


@pytest.mark.parametrize("name", list(POOLS))
@pytest.mark.parametrize("s", [1, 2, 3])
def test_filter_is_exact(name, s):
    pool = pool_of(*POOLS[name])
    curve = strategy("filter").curve(pool, submissions=s)
    assert np.abs(curve.value - brute_filter(pool, s)).max() < 1e-12
    assert (curve.variance == 0).all() and (curve.drawn == np.arange(1, pool.n + 1)).all()


@pytest.mark.parametrize("name", [n for n in POOLS if len(POOLS[n][0]) <= 7])
@pytest.mark.parametrize("s", [1, 2])
def test_first_pass_is_exact_in_value_and_in_samples_drawn(name, s):
    pool = pool_of(*POOLS[name])
    curve = strategy("first_pass").curve(pool, submissions=s)
    value, drawn = brute_first_pass(pool, s)
    assert np.abs(curve.value - value).max() < 1e-12
    assert np.abs(curve.drawn - drawn).max() < 1e-12


@pytest.mark.parametrize("name", list(POOLS))
def test_the_oracle_is_pass_at_k(name):
    pool = pool_of(*POOLS[name])
    assert np.abs(strategy("oracle").curve(pool).value - brute_oracle(pool)).max() < 1e-12


def test_no_strategy_beats_the_oracle_and_filtering_beats_chance_where_the_shown_tests_tell():
    pool = pool_of(*POOLS["mixed"])
    oracle = strategy("oracle").curve(pool).value
    for name in STRATEGY_NAMES:
        curve = strategy(name).curve(pool, orders=500, rng=np.random.default_rng(0))
        assert (curve.value <= oracle + 4 * np.sqrt(curve.variance) + 1e-12).all(), name
    chance = np.full(pool.n, pool.correct.mean())
    assert (strategy("filter").curve(pool).value[1:] > chance[1:]).all()  # 2 of 4 passers right, against 3 of 8


def test_a_strategy_is_found_by_name_and_an_unknown_one_is_named():
    assert strategy("filter").name == "filter" and strategy("selected").exact is False
    with pytest.raises(PassgridError, match="unknown strategy 'best' \\(one of oracle, filter"):
        strategy("best")


WRITTEN = {  # (correct, the written tests each sample passed), tests weighted 2, 1, 1, 3
    "agreeing right": ([1, 1, 0, 0, 1, 0, 0], [{0, 1}, {0, 1}, {0}, set(), {0, 1}, {3}, {2, 3}]),
    # {1} and {2} tie (1 x sqrt 2 each), below {0} (2 x 1): merged, they are one pick, not two
    "tied scores": ([1, 0, 0, 1, 0, 0], [{1}, {2}, {1}, {2}, {0}, set()]),
    "none passes any": ([0, 1, 0, 0, 1], [set()] * 5),
}
WEIGHTS = (2, 1, 1, 3)


def codet_as_released(subset: list, correct, passed, s: int) -> float:
    """CodeT's procedure on the samples `subset`, written as its released
    evaluation does it: float scores, sorted, equal scores merged, choose
    counts round the groups, pass@s where no sample passed a test."""
    case_sets = {}
    for i in subset:
        ids = tuple(sorted((t, copy) for t in passed[i] for copy in range(WEIGHTS[t])))
        if ids:
            case_sets.setdefault(ids, []).append(i)
    if not case_sets:
        return chance_one_right(subset, correct, min(s, len(subset)))
    ranked = sorted(((samples, len(ids) * np.sqrt(len(samples))) for ids, samples in case_sets.items()),
                    key=lambda x: x[1], reverse=True)
    merged = [ranked[0]]
    for samples, score in ranked[1:]:
        if score == merged[-1][1]:
            merged[-1] = (merged[-1][0] + samples, score)
        else:
            merged.append((samples, score))
    counts = [1] * min(s, len(merged))
    for i in range(s - len(counts)):
        counts[i % len(counts)] += 1
    wrong = np.prod([(1 - sum(correct[i] for i in samples) / len(samples)) ** c
                     for (samples, _), c in zip(merged, counts)])
    return 1 - wrong


@pytest.mark.parametrize("name", list(WRITTEN))
@pytest.mark.parametrize("s", [1, 2, 3])
def test_codet_matches_codets_procedure_on_every_subset(name, s):
    """Exact at k = 1 and k = n (CodeT's own s@n); between, within five
    times its stated Monte Carlo error of the mean over every k-subset."""
    correct, passed = WRITTEN[name]
    passed = [frozenset(p) for p in passed]
    pool = Pool(np.array(correct, bool), written_passed=tuple(passed), written_weights=WEIGHTS)
    curve = strategy("codet").curve(pool, submissions=s, orders=400, rng=np.random.default_rng(1))
    for k in range(1, pool.n + 1):
        subsets = list(itertools.combinations(range(pool.n), k))
        brute = np.mean([codet_as_released(list(sub), correct, passed, s) for sub in subsets])
        error = np.sqrt(curve.variance[k - 1])
        assert abs(curve.value[k - 1] - brute) <= 5 * error + 1e-12, (k, curve.value[k - 1], brute, error)
        if k in (1, pool.n):
            assert error == 0 and abs(curve.value[k - 1] - brute) < 1e-12


VOTES = {  # (correct, examples passed, output signature: a digest where it ran through, else its verdict)
    "majority right": ([1, 1, 0, 0, 1, 0, 0], [2, 2, 2, 1, 2, 0, 0], ["a" * 16, "a" * 16, "b" * 16, "c" * 16,
                                                                       "a" * 16, "timeout", "timeout"]),
    "tied groups": ([1, 0, 1, 0, 0, 0], [1, 1, 1, 1, 0, 0], ["a" * 16, "b" * 16, "a" * 16, "b" * 16, "c" * 16,
                                                             "crash"]),
}


def vote_as_alphacode(subset: list, correct, passed, signature, s: int) -> float:
    """s submissions from a k-subset: one from each of the s best clusters by
    (examples passed, size), clusters of equal rank merged, round them again
    where fewer; samples that did not run rank below every one that did."""
    clusters = {}
    for i in subset:
        clusters.setdefault(signature[i], []).append(i)
    ranked = {}
    for sig, members in clusters.items():
        ran = len(sig) == 16 and all(ch in "0123456789abcdef" for ch in sig)
        ranked.setdefault((passed[members[0]] if ran else -1, len(members)), []).extend(members)
    tiers = [ranked[key] for key in sorted(ranked, reverse=True)]
    counts = [1] * min(s, len(tiers))
    for i in range(s - len(counts)):
        counts[i % len(counts)] += 1
    return 1 - np.prod([(1 - sum(correct[i] for i in t) / len(t)) ** c for t, c in zip(tiers, counts)])


@pytest.mark.parametrize("name", list(VOTES))
@pytest.mark.parametrize("s", [1, 2, 3])
def test_the_vote_with_s_submissions_matches_every_subset(name, s):
    correct, passed, signature = VOTES[name]
    pool = Pool(np.array(correct, bool), np.array(passed) == max(passed), np.array(passed), signature, True)
    curve = strategy("selected").curve(pool, submissions=s, orders=400, rng=np.random.default_rng(2))
    for k in range(1, pool.n + 1):
        brute = np.mean([vote_as_alphacode(list(sub), correct, passed, signature, s)
                         for sub in itertools.combinations(range(pool.n), k)])
        error = np.sqrt(curve.variance[k - 1])
        assert abs(curve.value[k - 1] - brute) <= 5 * error + 1e-12, (k, curve.value[k - 1], brute, error)
        if k in (1, pool.n):
            assert error == 0 and abs(curve.value[k - 1] - brute) < 1e-12


LOGPROBS = {  # (correct, each sample's mean token log-probability)
    "distinct": ([1, 0, 0, 1, 0, 1, 0], [-0.3, -0.1, -0.9, -0.5, -0.2, -1.2, -0.7]),
    # ties: a duplicate program scores the same; the tie is broken at random
    "tied": ([0, 1, 1, 0, 0, 1, 0, 0], [-0.2, -0.2, -0.4, -0.4, -0.4, -0.9, -0.2, -1.0]),
    "best all wrong": ([0, 0, 1, 0, 1, 0], [-0.1, -0.15, -0.8, -0.2, -0.8, -0.3]),
    "one lacks it": ([1, 0, 0, 1, 0, 0], [-0.1, -0.2, float("nan"), -0.3, -0.4, -0.5]),
}


def logprob_as_ranked(subset: list, correct, scores, s: int) -> float:
    """The s best-scored of `subset` submitted, every order of ties taken
    alike (all tie where a score is missing): the chance that one is right."""
    if any(np.isnan(scores)):
        scores = [0.0] * len(scores)
    levels = sorted({scores[i] for i in subset}, reverse=True)
    tiers = [[i for i in subset if scores[i] == level] for level in levels]
    arrangements = list(itertools.product(*(itertools.permutations(t) for t in tiers)))
    return np.mean([any(correct[i] for i in [j for tier in a for j in tier][:s]) for a in arrangements])


@pytest.mark.parametrize("name", list(LOGPROBS))
@pytest.mark.parametrize("s", [1, 2, 3])
def test_the_logprob_ranking_matches_every_subset_and_every_order_of_ties(name, s):
    correct, scores = LOGPROBS[name]
    pool = Pool(np.array(correct, bool), logprob=np.array(scores))
    curve = strategy("logprob").curve(pool, submissions=s)
    brute = [np.mean([logprob_as_ranked(list(sub), correct, scores, s)
                      for sub in itertools.combinations(range(pool.n), k)]) for k in range(1, pool.n + 1)]
    assert np.abs(curve.value - brute).max() < 1e-12
    assert (curve.variance == 0).all() and (curve.drawn == np.arange(1, pool.n + 1)).all()


def test_a_pool_without_log_probabilities_falls_back_to_a_random_pick():

    pool = Pool(np.array([1, 0, 0, 1, 0], bool))
    assert strategy("logprob").falls_back(pool)
    assert np.abs(strategy("logprob").curve(pool, submissions=2).value
                  - strategy("oracle").curve(pool).value[[0, 1, 1, 1, 1]]).max() < 1e-12
    assert not strategy("logprob").falls_back(Pool(np.array([1, 0], bool), logprob=np.array([-0.1, -0.2])))
