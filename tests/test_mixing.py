"""Mixing configurations (passgrid.analysis.mixing) against brute force:
every a_i-subset of each configuration's samples, every split."""
import itertools

import numpy as np
import pandas as pd
import pytest

import passgrid.analysis.mixing as mixing
from passgrid.analysis.mixing import mix_rows
from passgrid.grid.schema import AnalysisConfig

# per problem: its samples under A, B and C, right or not
PROBLEMS = {"t/0": ([1, 0, 0, 0], [0, 0, 0], [0, 0]), "t/1": ([0, 0, 0, 0], [1, 1, 0], [0, 0]),
            "t/2": ([1, 1, 0, 0], [0, 0, 0], [0, 1]), "t/3": ([0, 0, 0, 0], [0, 1, 0], [1, 1])}
ANALYSIS = AnalysisConfig(bootstrap=200)


def counts(which: int) -> pd.DataFrame:
    return pd.DataFrame([{"task_id": t, "n": len(s[which]), "c": sum(s[which])} for t, s in PROBLEMS.items()])


def brute(task: str, split: tuple) -> float:
    """The chance any of a_i samples of configuration i, each a uniform subset, is right."""
    subsets = [itertools.combinations(range(len(samples)), a) for samples, a in zip(PROBLEMS[task], split)]
    hits = [any(PROBLEMS[task][i][j] for i, chosen in enumerate(pick) for j in chosen)
            for pick in itertools.product(*subsets)]
    return float(np.mean(hits))


def splits_of(total: int, sizes: list) -> list:
    return [s for s in itertools.product(*(range(n + 1) for n in sizes)) if sum(s) == total]


@pytest.mark.parametrize("which", [(0, 1), (0, 1, 2)])
def test_each_split_is_exact_and_the_best_is_chosen_on_half_and_scored_on_the_other(which):
    names = "ABC"
    rows = mix_rows({names[i]: counts(i) for i in which}, ANALYSIS)
    sizes = [len(PROBLEMS["t/0"][i]) for i in which]
    assert [r["total"] for r in rows] == list(range(1, sum(sizes) + 1))
    tasks = list(PROBLEMS)
    for row in rows:
        t, splits = row["total"], splits_of(row["total"], sizes)
        value = {split: [brute(task, split) for task in tasks] for split in splits}
        best = max(splits, key=lambda s: np.mean(value[s]))
        assert row["mix_in_sample"] == pytest.approx(np.mean(value[best]), abs=1e-12)
        assert np.mean(value[tuple(map(int, row["split"].split("+")))]) == pytest.approx(row["mix_in_sample"], abs=1e-12)
        # 2-fold: problems 0 and 2 choose for 1 and 3, and back (ties: the first split in the search's order)
        crossed = []
        for scored, chooses in (((1, 3), (0, 2)), ((0, 2), (1, 3))):
            chosen = max(splits, key=lambda s: np.mean([value[s][i] for i in chooses]))
            crossed += [value[chosen][i] for i in scored]
        assert row["mix_at_total"] == pytest.approx(np.mean(crossed), abs=1e-12)
        assert row["mix_at_total_lo"] <= row["mix_at_total"] <= row["mix_at_total_hi"]
        alone = {names[i]: np.mean([brute(task, tuple(t if j == k else 0 for j in range(len(which))))
                                    for task in tasks])
                 for k, i in enumerate(which) if t <= sizes[k]}
        if alone:
            assert row["best_alone"] == pytest.approx(max(alone.values()), abs=1e-12)
            assert alone[row["best_alone_cell"]] == pytest.approx(max(alone.values()), abs=1e-12)
        else:
            assert row["best_alone"] is None
    # the configurations solve different problems: mixing beats any alone at the same budget
    three = rows[2]
    assert three["mix_in_sample"] > three["best_alone"]


def test_past_the_exhaustive_bound_the_split_grows_greedily_and_its_value_stays_exact(monkeypatch):
    monkeypatch.setattr(mixing, "SPLITS_EXHAUSTIVE", 1)
    rows = mix_rows({"A": counts(0), "B": counts(1), "C": counts(2)}, ANALYSIS)
    splits = [tuple(map(int, r["split"].split("+"))) for r in rows]
    assert all(sum(later) == sum(earlier) + 1 and all(b >= a for a, b in zip(earlier, later))
               for earlier, later in zip(splits, splits[1:]))  # one sample more at each budget
    for row, split in zip(rows, splits):
        assert row["mix_in_sample"] == pytest.approx(np.mean([brute(t, split) for t in PROBLEMS]), abs=1e-12)


def test_the_number_of_splits_is_counted_exactly():
    for total in range(0, 10):
        assert mixing._count_splits(total, [4, 3, 2]) == len(splits_of(total, [4, 3, 2]))


def test_configurations_on_other_problems_are_not_mixed():
    other = counts(1).assign(task_id=lambda f: f["task_id"].str.replace("t/", "u/"))
    with pytest.raises(ValueError, match="not measured on the same problems"):
        mix_rows({"A": counts(0), "B": other}, ANALYSIS)
