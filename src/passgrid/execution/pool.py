"""Run every sample against its problem's tests: in parallel judge workers,
each with its own sandbox fork server (passgrid.execution.judge, passgrid.execution.sandbox),
once per distinct program, with verdicts cached by content.

Per-problem time limits come from the reference solution's own runtime,
measured in the same sandbox: max(floor, factor x reference), so that a
verdict does not hinge on the machine's speed; a contest problem's own limit
holds where its reference meets it (calibrate).
"""
import marshal
import sys
from collections import deque
from dataclasses import asdict, fields
from typing import Iterable

from passgrid import PassgridError
from passgrid.execution import wire
from passgrid.execution.cache import VerdictCache, compile_program, judged_under, outputs_key, program_key, still_valid
from passgrid.execution.limits import Limits
from passgrid.execution.workers import JudgePool
from passgrid.problem import Problem
from passgrid.sample import Sample
from passgrid.verdicts import Outcome, Verdict


def build_program(problem: Problem, completion: str) -> str:
    """The program a sample stands for: the prompt with the completion
    appended, or the completion alone where it is the whole program (MBPP, stdio)."""
    return completion if problem.whole_program else problem.prompt + completion


def _reference_limits(limits: Limits) -> dict:
    """A reference solution's: ample time, as a slow one is still right."""
    return {**asdict(limits), "timeout_s": max(10 * limits.timeout_s, 30.0)}


def calibrate(pool: JudgePool, problems: dict, limits: Limits, runs: int = 3) -> dict:
    """task_id -> time limit. A problem with its own (`time_limit_s`, a
    contest problem's limit per test case) gets it, unless its reference
    solution cannot meet it here: then factor x the reference's time (its
    slowest test case). Others get max(floor, factor x the
    reference's slowest), or the floor where there is no reference or it
    does not pass."""
    generous = _reference_limits(limits)
    # Once where the dataset gives the limit: only a machine too slow for it is looked for.
    jobs = [(t, p, build_program(p, p.canonical_solution), generous) for t, p in problems.items()
            if p.canonical_solution for _ in range(1 if p.time_limit_s else runs)]
    slowest = {}
    for task_id, result in pool.run(jobs):
        if result["verdict"] != Outcome.PASSED:
            slowest[task_id] = None
        elif slowest.get(task_id, 0.0) is not None:  # a stdio problem's limit is per test case
            slowest[task_id] = max(slowest.get(task_id, 0.0), result.get("slowest_s", result["duration_s"]))
    return {t: _dataset_limit(p.time_limit_s, slowest.get(t), limits) if p.time_limit_s
            else max(limits.timeout_s, limits.timeout_factor * (slowest.get(t) or 0.0)) for t, p in problems.items()}


def _dataset_limit(given: float, reference_s, limits: Limits) -> float:
    """A dataset's own limit, or, where its reference solution takes longer
    here, factor x the reference's time."""
    return given if not reference_s or reference_s <= given else limits.timeout_factor * reference_s


def reference_outputs(problems: dict, inputs: dict, limits: Limits, workers: int, sandbox_paths=(),
                      cache_path=None) -> dict:
    """task_id -> [the reference solution's output on each argument list of
    inputs[task_id], as {"value": plain value}, or None where it raised or ran
    out of time], computed in the sandbox (a reference is data from a file, and
    trusted no more than a sample), or read from the cache at `cache_path`. A
    reference that does not load, or whose sandbox dies, is an error naming
    its task: its tests would test nothing."""
    pool = JudgePool(workers, sandbox_paths)
    cache = VerdictCache(cache_path) if cache_path else None
    generous = _reference_limits(limits)
    try:
        encoded = {t: [wire.encode(args) for args in inputs[t]] for t in inputs}
        programs = {t: build_program(problems[t], problems[t].canonical_solution) for t in inputs}
        keys = {t: outputs_key(problems[t], programs[t], encoded[t], pool.isolation) for t in inputs}
        found = {t: cache.get_outputs(keys[t]) for t in inputs} if cache else {}
        jobs = [(t, problems[t], programs[t], generous, None, encoded[t]) for t in inputs if found.get(t) is None]
        for task_id, result in pool.run(jobs):
            if result["verdict"] != Outcome.PASSED:
                raise PassgridError(f"{task_id}: the reference solution gave no outputs ({result['verdict']}: "
                                    f"{result['detail']})")
            found[task_id] = result["outputs"]
            if cache:
                cache.put_outputs(keys[task_id], result["outputs"])
        return {t: [None if o is None else {"value": wire.decode(o["value"])} for o in found[t]] for t in inputs}
    finally:
        pool.close()
        if cache:
            cache.close()


def judge_samples(samples: Iterable[Sample], problems: dict, limits: Limits, workers: int, emit, task_ids,
                  cache_path=None, progress: bool = True, total: int = None, sandbox_paths=(), settings=None,
                  hidden_paths=()) -> None:
    """Judge a stream of samples and emit(its Verdict) for each, in input order.

    Each distinct program runs once; memory holds only the samples between the
    oldest one still running and the newest one read (the workers' reach), not
    the whole stream. `task_ids` are the problems whose time limits to
    calibrate: every problem the stream names. `sandbox_paths`, `hidden_paths`: see JudgePool.
    `settings`: what verdicts are judged under, for their cache keys (by
    default judged_under(limits, sandbox_paths))."""
    cache = VerdictCache(cache_path) if cache_path else None  # its file made before the sandbox hides it
    pool = JudgePool(workers, sandbox_paths, hidden_paths)
    try:
        limit_of = calibrate(pool, {t: problems[t] for t in task_ids}, limits)
        stream = _Stream(emit, pool.isolation, judged_under(limits, sandbox_paths) if settings is None else settings,
                         cache, _progress(total, progress))
        jobs = stream.jobs(samples, problems, {t: {**asdict(limits), "timeout_s": limit_of[t]} for t in limit_of})
        for key, result in pool.run(jobs):
            stream.record(key, result)
        stream.close()
    finally:
        pool.close()
        if cache:
            cache.close()


_WINDOW = 1000  # samples read ahead of the oldest one still running, at most
_KNOWN_MAX = 20_000  # recent verdicts kept for de-duplication; the cache keeps them all


class _Stream:
    """judge_samples' bookkeeping: which programs are known (judged lately,
    or in the cache) and which running; the samples waiting, in input order,
    for their program's verdict; emission in that order."""

    def __init__(self, emit, isolation: str, settings: dict, cache, bar):
        self.emit, self.isolation, self.settings, self.cache, self.bar = emit, isolation, settings, cache, bar
        self.waiting = deque()  # (task_id, sample_index, key) in input order, not yet emitted
        self.known = {}  # key -> result, for the programs seen lately
        self.running = {}  # key -> job

    def jobs(self, samples, problems: dict, limits_of: dict):
        """A job for each program neither known nor running (deduplication and
        the cache); None to pause reading while _WINDOW samples wait behind
        programs still running."""
        for s in samples:
            problem = problems[s.task_id]
            program = build_program(problem, s.completion)
            code = compile_program(program)  # once, for the key and for the sandbox
            key = program_key(problem, program, self.settings, self.isolation, code)
            self.waiting.append((s.task_id, s.sample_index, key))
            if key not in self.known and key not in self.running:
                limits = limits_of[s.task_id]
                cached = self.cache.get(key) if self.cache else None
                if cached and still_valid(cached, limits["timeout_s"]):
                    self.known[key] = {**cached, "cached": True}
                else:
                    self.running[key] = (key, problem, program, limits, marshal.dumps(code).hex() if code else None)
                    yield self.running[key]
            self.flush()
            while len(self.waiting) > _WINDOW and self.running:
                yield None

    def record(self, key: str, result: dict) -> None:
        limit_s = self.running.pop(key)[3]["timeout_s"]
        self.known[key] = {**result, "limit_s": limit_s, "cached": False}
        if self.cache:
            self.cache.put(key, result, limit_s)
        self.flush()

    def flush(self) -> None:
        """Emit the waiting samples whose verdicts are known, in order; forget
        the programs no waiting sample needs once too many are known."""
        while self.waiting and self.waiting[0][2] in self.known:
            task_id, index, key = self.waiting.popleft()
            self.emit(Verdict.of_result(task_id, index, key, self.isolation, self.known[key]))
            self.bar.update(1)
        if len(self.known) > _KNOWN_MAX:
            needed = {key for _, _, key in self.waiting}
            for key in [k for k in self.known if k not in needed]:
                del self.known[key]

    def close(self) -> None:
        self.flush()
        self.bar.close()


def limits_from(execution) -> Limits:
    """The sandbox limits named in an execution config section (the schema's ExecutionConfig)."""
    return Limits(**{f.name: getattr(execution, f.name) for f in fields(Limits)})


def _progress(total, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="execute", unit="sample", disable=not enabled, file=sys.stderr, mininterval=2.0)
