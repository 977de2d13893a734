"""Mixing two configurations (passgrid.analysis.mixing) against brute force:
every a-subset of one's samples with every b-subset of the other's."""
import itertools

import numpy as np
import pandas as pd
import pytest

from passgrid.analysis.mixing import mix_rows

# per problem: (its samples under A, right or not), (under B)
PROBLEMS = {"t/0": ([1, 0, 0, 0], [0, 0, 0]), "t/1": ([0, 0, 0, 0], [1, 1, 0]),
            "t/2": ([1, 1, 0, 0], [0, 0, 0]), "t/3": ([0, 0, 0, 0], [0, 1, 0])}


def counts(which: int) -> pd.DataFrame:
    return pd.DataFrame([{"task_id": t, "n": len(s[which]), "c": sum(s[which])} for t, s in PROBLEMS.items()])


def brute(task: str, a: int, b: int) -> float:
    """The chance any of a samples of A and b of B, each a uniform subset, is right."""
    samples_a, samples_b = PROBLEMS[task]
    hits = [any(samples_a[i] for i in sa) or any(samples_b[j] for j in sb)
            for sa in itertools.combinations(range(len(samples_a)), a)
            for sb in itertools.combinations(range(len(samples_b)), b)]
    return float(np.mean(hits))


def test_each_split_is_exact_and_the_best_is_chosen_on_half_and_scored_on_the_other():
    rows = mix_rows("A", counts(0), "B", counts(1))
    assert [r["total"] for r in rows] == list(range(1, 8))
    tasks = list(PROBLEMS)
    for row in rows:
        t = row["total"]
        splits = [(a, t - a) for a in range(max(0, t - 3), min(t, 4) + 1)]
        value = {split: [brute(task, *split) for task in tasks] for split in splits}
        best = max(splits, key=lambda s: np.mean(value[s]))
        assert (row["a"], row["b"]) == best and row["mix_in_sample"] == pytest.approx(np.mean(value[best]), abs=1e-12)
        # 2-fold: problems 0 and 2 choose for 1 and 3, and back
        crossed = []
        for scored, chooses in (((1, 3), (0, 2)), ((0, 2), (1, 3))):
            chosen = max(splits, key=lambda s: np.mean([value[s][i] for i in chooses]))
            crossed += [value[chosen][i] for i in scored]
        assert row["mix_at_total"] == pytest.approx(np.mean(crossed), abs=1e-12)
        assert row["mix_at_total"] <= row["mix_in_sample"] + 1e-12
        alone_a = np.mean([brute(task, t, 0) for task in tasks]) if t <= 4 else None
        assert row["a_alone"] == (pytest.approx(alone_a, abs=1e-12) if alone_a is not None else None)
    # A and B solve different problems: mixing beats either alone at the same budget
    three = rows[2]
    assert three["mix_in_sample"] > max(three["a_alone"], three["b_alone"])


def test_configurations_on_other_problems_are_not_mixed():
    other = counts(1).assign(task_id=lambda f: f["task_id"].str.replace("t/", "u/"))
    with pytest.raises(ValueError, match="not measured on the same problems"):
        mix_rows("A", counts(0), "B", other)
