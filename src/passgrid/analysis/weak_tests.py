"""What weak tests cost a user who resamples until they pass (after Stroebl
et al. 2024, "Inference Scaling fLaws"): with a stronger test set for the
same problems, a sample can pass the dataset's tests and fail the stronger
ones, a false pass.

A user who draws up to k samples and submits the first that passes the weak
tests submits, on a problem with n samples of which w pass the weak tests and
b pass both, a weak-passing sample with chance 1 - C(n - w, k) / C(n, k); by
symmetry it is any of the w alike, so it is right with chance b / w. Averaged
over problems:

  accuracy@k   = mean of (1 - C(n - w, k) / C(n, k)) * b / w
  false pass@k = mean of (1 - C(n - w, k) / C(n, k)) * (w - b) / w

As k grows, accuracy@k climbs to the mean of b / w and no further, however
many more samples are drawn: weak tests cap what resampling buys.
"""
import numpy as np
import pandas as pd

from passgrid.analysis.passk import pass_at_k_curve


def resampling_until_weak_pass(counts: pd.DataFrame) -> pd.DataFrame:
    """k = 1..min n: accuracy@k and false pass@k. `counts`: per problem n,
    w (weak passes) and b (passes of both)."""
    n_min = int(counts["n"].min())
    accuracy, false_pass = np.zeros(n_min), np.zeros(n_min)
    for n, w, b in zip(counts["n"], counts["w"], counts["b"]):
        if w == 0:
            continue
        submits = pass_at_k_curve(int(n), int(w))[:n_min]  # some weak pass among k
        accuracy += submits * b / w
        false_pass += submits * (w - b) / w
    return pd.DataFrame({"k": np.arange(1, n_min + 1), "until_weak_pass_accuracy": accuracy / len(counts),
                         "false_pass_at_k": false_pass / len(counts)})


def weak_strong_counts(weak: list, strong: list) -> pd.DataFrame:
    """Per problem n, w, b from the two executions files' Verdicts (same samples)."""
    passed_strong = {(v.task_id, v.sample_index) for v in strong if v.passed}
    rows = {}
    for v in weak:
        row = rows.setdefault(v.task_id, {"task_id": v.task_id, "n": 0, "w": 0, "b": 0})
        row["n"] += 1
        if v.passed:
            row["w"] += 1
            row["b"] += (v.task_id, v.sample_index) in passed_strong
    return pd.DataFrame(list(rows.values()), columns=["task_id", "n", "w", "b"])
