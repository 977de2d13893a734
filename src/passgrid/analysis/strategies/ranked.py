"""What every strategy that groups samples by behaviour and ranks the groups
shares (CodeT's dual agreement; the vote, with several submissions): among
k samples, the groups present are scored, groups of equal score merged;
s submissions go one to each of the s best, a random sample from each, and
where there are fewer groups than s, round the groups again (drawn with
replacement, as CodeT computes it). Where no sample of the k takes part,
the submissions are random: pass@min(s, k).

Estimated at each k from random orderings of the n samples (an ordering's
first k are a uniform k-subset), updating the groups as each sample joins;
with the Monte Carlo variance of each value; exact at k = 1 and k = n."""
import heapq

import numpy as np

from passgrid.analysis.passk import estimate_pass_at_k


def ranked_curve(group: list, score, correct, submissions: int, orders: int, rng) -> tuple:
    """(value, variance) at k = 1..n. `group`: each sample's group (None: it
    takes no part); `score(group, size)`: a group's score, with `size` of its
    samples among the k (higher is better; equal scores merge)."""
    n, correct = len(group), np.asarray(correct, int)
    right_of, random_pick = correct.tolist(), {}  # (k, right) -> pass@min(s, k), while no sample takes part
    picks = np.empty((max(orders, 1), n))
    for row in range(picks.shape[0]):
        sizes, tiers, right, pick, row_picks = {}, {}, 0, 0.0, []
        for k, i in enumerate(rng.permutation(n).tolist(), start=1):
            right += right_of[i]
            if group[i] is not None:
                _join(sizes, tiers, group[i], right_of[i], score)
                pick = _pick(tiers, submissions, k, right)
            elif not tiers:
                if (k, right) not in random_pick:
                    random_pick[k, right] = _pick(tiers, submissions, k, right)
                pick = random_pick[k, right]
            # else: a sample that takes no part leaves the tiers, and so the pick, as they were
            row_picks.append(pick)
        picks[row] = row_picks
    value = picks.mean(axis=0)
    variance = picks.var(axis=0, ddof=1) / orders if orders > 1 else np.zeros(n)
    value[0], variance[0] = float(np.mean(correct)), 0.0  # the one sample is the pick
    value[-1], variance[-1] = ranked_value(group, score, correct, submissions), 0.0
    return value, variance


def ranked_value(group: list, score, correct, submissions: int) -> float:
    """The chance one of `submissions` picks is right, among all these samples."""
    sizes, tiers = {}, {}
    for g, right in zip(group, correct):
        if g is not None:
            _join(sizes, tiers, g, int(right), score)
    return _pick(tiers, submissions, len(group), int(np.sum(correct)))


def _join(sizes: dict, tiers: dict, g, right: int, score) -> None:
    """A sample joins its group; the group moves to its new score's tier."""
    size, rights = sizes.get(g, (0, 0))
    if size:
        key = score(g, size)
        tiers[key][0] -= size
        tiers[key][1] -= rights
        if not tiers[key][0]:
            del tiers[key]  # no sample left at that score
    sizes[g] = (size + 1, rights + right)
    tier = tiers.setdefault(score(g, size + 1), [0, 0])
    tier[0] += size + 1
    tier[1] += rights + right


def _pick(tiers: dict, submissions: int, k: int, right: int) -> float:
    """1 - the chance every pick is wrong, over the tiers ([samples, right
    ones], best first) with CodeT's choose counts; pass@min(s, k) where no tier."""
    if not tiers:
        return estimate_pass_at_k(k, right, min(submissions, k))
    if submissions == 1:  # the common case, without the general one's lists (the same arithmetic)
        size, rights = tiers[max(tiers)]
        return 1.0 - (1.0 - rights / size)
    ranked = [tiers[key] for key in heapq.nlargest(submissions, tiers)]  # only the best s can be picked
    counts = [1] * min(submissions, len(ranked))
    for extra in range(submissions - len(counts)):
        counts[extra % len(counts)] += 1
    wrong = 1.0
    for (size, rights), count in zip(ranked, counts):
        wrong *= (1.0 - rights / size) ** count
    return 1.0 - wrong
