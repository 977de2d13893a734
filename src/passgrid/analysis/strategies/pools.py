"""A cell's samples as the strategies see them: one row per sample (its
verdict; its run on the tests its problem's statement shows; its run on the
model-written tests, where there are some), then one Pool per problem. The
workflow's summarize step and `passgrid evaluate` both build them here."""
import pandas as pd

from passgrid.analysis.selection import joint_signature, read_probe
from passgrid.analysis.strategies.base import Pool


def probe_frame(verdicts: list, shown: list, written: list = None, weights: dict = None,
                strong: list = None, logprob: list = None) -> pd.DataFrame:
    """`verdicts`: each sample's Verdict on the tests; `shown`: its Verdict on
    the tests its statement shows, None where the statement shows none (it
    passed 0 of 0, as every sample of that problem); `written`: its Verdict on
    the model-written tests (what it answered before it stopped, where it did;
    passgrid.analysis.selection.split_probe), None where its problem has none;
    its signature then covers its outputs on both (joint_signature); the tests'
    multiplicities per problem (`weights`); both None where the cell has no
    written tests at all; `strong`: whether it passed a stronger test set,
    where the cell has one; `logprob`: its mean token log-probability (None
    where its backend recorded none). A sample without an index is told by its place."""
    read = [read_probe(p) for p in shown]
    shown_tasks = {v.task_id for v, p in zip(verdicts, shown) if p}
    frame = {"task_id": [v.task_id for v in verdicts],
             "sample_index": [i if v.sample_index is None else v.sample_index for i, v in enumerate(verdicts)],
             "correct": [v.passed for v in verdicts], "examples_passed": [r[0] for r in read],
             "shown_passed": [p.passed if p else True for p in shown],
             "shown": [v.task_id in shown_tasks for v in verdicts], "signature": [r[1] for r in read]}
    if written is not None:
        # a test it did not reach before the time limit is one it did not pass
        frame["written_passed"] = [w.behaviour.right_on if w and w.behaviour else frozenset() for w in written]
        frame["signature"] = [joint_signature(s, w) for s, w in zip(frame["signature"], written)]
        frame["written_weights"] = [weights.get(v.task_id, ()) for v in verdicts]
    if strong is not None:
        frame["strong_correct"] = list(strong)
    if logprob is not None:
        frame["mean_logprob"] = [float("nan") if x is None else x for x in logprob]
    return pd.DataFrame(frame)


def pools(probes: pd.DataFrame, task_ids: list, n: int = None) -> list:
    """Each problem's first n samples (all, without n) as a strategy's Pool, in `task_ids`' order."""
    by_task = dict(tuple(probes.sort_values("sample_index", kind="stable").groupby("task_id", sort=False)))
    written, ranked = "written_passed" in probes, "mean_logprob" in probes
    return [Pool(g["correct"].to_numpy(bool)[:n], g["shown_passed"].to_numpy(bool)[:n],
                 g["examples_passed"].to_numpy()[:n], list(g["signature"])[:n], bool(g["shown"].iloc[0]),
                 tuple(g["written_passed"])[:n] if written else (),
                 tuple(g["written_weights"].iloc[0]) if written else (),
                 g["mean_logprob"].to_numpy(float)[:n] if ranked else None)
            for g in (by_task[t] for t in task_ids)]
