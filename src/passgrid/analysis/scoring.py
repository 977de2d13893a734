"""From verdicts to pass@k: per problem (n, c) and the overall curve."""
import numpy as np
import pandas as pd

from passgrid import PassgridError
from passgrid.analysis.uncertainty import problem_curves
from passgrid.verdicts import Outcome


def count_correct(executions: list, task_ids: list, where: str = "executions") -> pd.DataFrame:
    """From Verdicts (passgrid.verdicts), per problem: n samples executed, c passed. Sandbox faults are not model
    failures, so a run that still has one is refused rather than scored."""
    faults = [v for v in executions if v.outcome == Outcome.SANDBOX_FAULT]
    if faults:
        raise PassgridError(f"{where}: {len(faults)} sample(s) hit a sandbox fault (first: {faults[0].task_id}: "
                            f"{faults[0].detail}); rerun execution instead of scoring them as failures")
    frame = pd.DataFrame({"task_id": [v.task_id for v in executions], "passed": [v.passed for v in executions]})
    n = frame.groupby("task_id").size()
    c = frame[frame["passed"]].groupby("task_id").size()
    missing = [t for t in task_ids if t not in n.index]
    if missing:
        raise PassgridError(f"{where}: no samples for {len(missing)} problem(s), e.g. {missing[0]}")
    return pd.DataFrame({"task_id": task_ids,
                         "n": [int(n[t]) for t in task_ids],
                         "c": [int(c.get(t, 0)) for t in task_ids]})


def pass_at_k_table(per_problem: pd.DataFrame) -> pd.DataFrame:
    """Mean pass@k over problems for every k up to the smallest n (never k > n)."""
    curves = problem_curves(per_problem)
    return pd.DataFrame({"k": np.arange(1, curves.shape[1] + 1), "pass_at_k": curves.mean(axis=0),
                         "n_problems": len(per_problem)})


def pass_at_k_at(per_problem: pd.DataFrame, ks) -> dict:
    """{"pass@k": value} for the requested ks that every problem's n allows."""
    table = pass_at_k_table(per_problem).set_index("k")["pass_at_k"]
    return {f"pass@{k}": float(table[k]) for k in ks if k in table.index}
