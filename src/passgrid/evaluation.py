"""One evaluation pipeline, for `passgrid evaluate` and the workflow's steps
alike: problems made ready to judge (EvalPlus's expected outputs, computed in
the sandbox), samples judged into verdict records, verdicts scored.
"""
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np

from passgrid.analysis.scoring import count_correct, pass_at_k_table
from passgrid.analysis.selection import probe_problems, probes, split_probe
from passgrid.analysis.strategies import mean_at, strategy
from passgrid.analysis.strategies.base import ORDERS
from passgrid.analysis.strategies.pools import pools, probe_frame
from passgrid.datasets.evalplus import complete_evalplus
from passgrid.execution.limits import Limits, probe_limits
from passgrid.execution.pool import judge_samples, reference_outputs


@dataclass(frozen=True)
class Judging:
    """How samples are judged: the sandbox's limits, how many judges, the
    verdict cache, what programs may read (`sandbox_paths`) and what is hidden
    from them beyond the known places (`hidden_paths`: a workflow's results),
    and what the cached verdicts are keyed under (None: from the limits)."""
    limits: Limits = field(default_factory=Limits)
    workers: int = 2
    cache_path: str = None
    sandbox_paths: tuple = ()
    hidden_paths: tuple = ()
    settings: dict = None

    def hidden(self) -> tuple:
        """What programs may not read: the paths given, and the verdict cache
        (it holds the references' outputs: expected answers)."""
        cache = (self.cache_path, f"{self.cache_path}-wal", f"{self.cache_path}-shm") if self.cache_path else ()
        return (*self.hidden_paths, *cache)


def ready_problems(problems: list, workers: int = 2, cache_path=None) -> list:
    """Problems whose tests are complete: an EvalPlus release's get their
    expected outputs from its references, run in the sandbox (or read from
    the verdict cache at `cache_path`)."""
    return complete_evalplus(problems, partial(_reference_outputs, workers=workers, cache_path=cache_path))


def _reference_outputs(problems: dict, inputs: dict, workers: int, cache_path) -> dict:
    return reference_outputs(problems, inputs, Limits(), workers, cache_path=cache_path)


def judge(samples, problems: dict, judging: Judging, emit, task_ids, total: int = None, progress: bool = True):
    """Judge a stream of samples, emit(record) for each in order
    (passgrid.execution.pool.judge_samples: each distinct program once)."""
    judge_samples(samples, problems, judging.limits, judging.workers, emit, task_ids=task_ids,
                  cache_path=judging.cache_path, progress=progress, total=total, sandbox_paths=judging.sandbox_paths,
                  settings=judging.settings, hidden_paths=judging.hidden())


def judged(samples: list, problems: dict, judging: Judging, progress: bool = True) -> list:
    """One verdict record per sample, in order."""
    records = []
    judge(samples, problems, judging, records.append, task_ids=list(dict.fromkeys(s.task_id for s in samples)),
          total=len(samples), progress=progress)
    return records


def score(records: list, task_ids: list, where: str):
    """(per problem n and c, the mean pass@k for every k up to the smallest n)."""
    per_problem = count_correct(records, task_ids, where=where)
    return per_problem, pass_at_k_table(per_problem)


def test_sets(problems: dict) -> dict:
    """prefix -> problems: the problems' tests, and for EvalPlus data base +
    plus as well ("plus_": EvalPlus's headline)."""
    sets = {"": problems}
    if any(p.plus_test for p in problems.values()):
        sets["plus_"] = {t: replace(p, test=p.plus_test or p.test) for t, p in problems.items()}
    return sets



def probe_verdicts(samples: list, probed: dict, judging: Judging, progress: bool = True) -> tuple:
    """Each sample's Verdicts, from one run on its problem's Probe in
    `probed` (passgrid.analysis.selection.probes): [on the tests its statement
    shows], [on its model-written tests], in order; None where its problem
    has none. (A published file's samples have no index: they are told apart
    by their place.)"""
    chosen = [s for s in samples if s.task_id in probed]
    judging = replace(judging, limits=probe_limits(judging.limits))
    verdicts = iter(judged(chosen, probe_problems(probed), judging, progress) if chosen else ())
    parts = [split_probe(next(verdicts), probed[s.task_id]) if s.task_id in probed else (None, None)
             for s in samples]
    return [shown for shown, _ in parts], [written for _, written in parts]


def strategy_pools(samples: list, records: list, problems: dict, judging: Judging, written: dict = None,
                   progress: bool = True) -> dict:
    """task_id -> its samples as a strategy's Pool (passgrid.analysis.strategies):
    `records` (each sample's verdict, in order) and how each behaves on the
    tests its statement shows and on its model-written tests (`written`:
    task_id -> WrittenTests), in one run per sample here; and each one's mean
    token log-probability, where the file records it."""
    probed = probes(problems, {t: w.tests for t, w in (written or {}).items()})
    shown, on_written = probe_verdicts(samples, probed, judging, progress)
    tested = [t for t, p in probed.items() if p.written]
    frame = probe_frame(records, shown, on_written if tested else None,
                        {t: written[t].weights for t in tested}, logprob=[s.mean_logprob for s in samples])
    task_ids = list(dict.fromkeys(s.task_id for s in samples))
    return dict(zip(task_ids, pools(frame, task_ids)))


def strategy_scores(pools: dict, names: list, submissions: list, ks: list, orders: int = ORDERS,
                    seed: int = 0) -> dict:
    """Each strategy's mean s@k over the problems, as `passgrid evaluate`
    prints them: NAME_S@K (s submissions among k samples; the oracle's is
    pass@k whatever s), with NAME_S@K_mc_error where it is estimated,
    NAME_S@K_drawn where it draws fewer than k samples, and
    NAME_fallback_problems: how many problems lacked what it needs."""
    scores, rng, found = {}, np.random.default_rng(seed), list(pools.values())
    for name in names:
        chosen = strategy(name)
        scores[f"{name}_fallback_problems"] = sum(chosen.falls_back(pool) for pool in found)
        for s in submissions:
            for k, (value, error, drawn) in mean_at(name, found, s, ks, orders, rng).items():
                scores[f"{name}_{s}@{k}"] = value
                if not chosen.exact:
                    scores[f"{name}_{s}@{k}_mc_error"] = error
                if chosen.saves_samples:
                    scores[f"{name}_{s}@{k}_drawn"] = drawn
    return scores
