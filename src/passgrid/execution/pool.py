"""Run every sample against its problem's tests: in parallel judge workers,
each with its own sandbox fork server (passgrid.execution.judge, passgrid.execution.sandbox),
once per distinct program, with verdicts cached by content.

Per-problem time limits come from the reference solution's own runtime,
measured in the same sandbox: max(floor, factor x reference), so that a
verdict does not hinge on the machine's speed; a contest problem's own limit
holds where its reference meets it (calibrate).
"""
import json
import marshal
import os
import selectors
import subprocess
import sys
from collections import deque
from dataclasses import asdict, fields
from typing import Iterable

from passgrid import PassgridError
from passgrid.execution import wire
from passgrid.execution.cache import VerdictCache, compile_program, outputs_key, program_key, still_valid
from passgrid.execution.limits import Limits
from passgrid.execution.sandbox import FALLBACK_WARNINGS
from passgrid.kinds import is_whole_program

VERDICTS = ("passed", "failed", "timeout", "error", "memory", "sandbox_fault")


def build_program(problem: dict, completion: str) -> str:
    """The program a sample stands for: the prompt with the completion
    appended, or the completion alone where it is the whole program (MBPP, stdio)."""
    return completion if is_whole_program(problem) else problem["prompt"] + completion


class JudgeWorker:
    """One `python -I -m passgrid.execution.judge` process with a scrubbed environment:
    nothing of passgrid's environment (API keys) is in its memory to be read.
    A problem is sent to it once; each job then names its task."""

    def __init__(self, sandbox_paths=()):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "PASSGRID_SANDBOX_PATHS": json.dumps([os.path.abspath(p) for p in sandbox_paths])}
        for flag in ("PASSGRID_NO_NAMESPACES", "PASSGRID_NO_ALLOWLIST", "PASSGRID_NO_MOUNT_SETATTR"):  # tests
            if os.environ.get(flag):
                env[flag] = "1"
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", "import sys; sys.path[:0] = "
                                      f"{[p for p in sys.path if p]!r}; from passgrid.execution.judge import main; main()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.to_judge, self.from_judge = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self.isolation = wire.receive(self.from_judge, None)["isolation"]
        self.problems = {}  # task_id -> the problem as last sent

    def submit(self, problem: dict, program: str, limits: dict, code: str = None, inputs: list = None) -> None:
        """`code`: the program compiled and marshalled, in hex (the sandbox then
        skips compiling it); None to send the text alone. `inputs`: call the
        program on these argument lists instead of judging it (Judge.outputs)."""
        if self.problems.get(problem["task_id"]) is not problem:
            wire.send(self.to_judge, {"problem": problem})
            self.problems[problem["task_id"]] = problem
        if code and len(code) > wire.MAX_FRAME // 2:  # a huge program goes as its text (hex doubles the size)
            code = None
        wire.send(self.to_judge, {"task_id": problem["task_id"], "limits": limits,
                                  **({"code": code} if code else {"program": program}),
                                  **({"inputs": inputs} if inputs is not None else {})})

    def receive(self) -> dict:
        return wire.receive(self.from_judge)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class JudgePool:
    """Judge workers fed from one thread: each holds up to IN_FLIGHT jobs, so
    that it never waits for passgrid between programs."""

    IN_FLIGHT = 2

    def __init__(self, workers: int, sandbox_paths=()):
        """`sandbox_paths`: what programs may read besides the interpreter and
        the system (passgrid.execution.sandbox.allowed_paths)."""
        self.sandbox_paths = tuple(sandbox_paths)
        self.workers = [JudgeWorker(self.sandbox_paths) for _ in range(max(1, workers))]
        self.isolation = self.workers[0].isolation
        if self.isolation in FALLBACK_WARNINGS:
            print(f"passgrid: sandbox isolation {self.isolation}: {FALLBACK_WARNINGS[self.isolation]}", file=sys.stderr)

    def run(self, jobs):
        """Yield (tag, result) for (tag, problem, program, limits[, code]) jobs,
        as they finish (code: see JudgeWorker.submit).
        The job source may yield None for "nothing now": it is asked again
        after the next result (so it may do that only while jobs are held).
        A worker that dies faults the jobs it held (`sandbox_fault`) and is replaced."""
        jobs = iter(jobs)
        exhausted = False
        held = [deque() for _ in self.workers]
        selector = selectors.DefaultSelector()
        for i, worker in enumerate(self.workers):
            selector.register(worker.from_judge, selectors.EVENT_READ, i)

        def fill(i: int):
            nonlocal exhausted
            while not exhausted and len(held[i]) < self.IN_FLIGHT:
                job = next(jobs, StopIteration)
                if job is StopIteration:
                    exhausted = True
                elif job is None:
                    return
                else:
                    held[i].append(job[0])
                    self.workers[i].submit(*job[1:])

        def replace(i: int, error: Exception):
            selector.unregister(self.workers[i].from_judge)
            self.workers[i].proc.kill()
            self.workers[i] = JudgeWorker(self.sandbox_paths)
            selector.register(self.workers[i].from_judge, selectors.EVENT_READ, i)
            fault = {"verdict": "sandbox_fault", "detail": f"judge worker died: {error!r}", "duration_s": 0.0}
            faulted = [(tag, fault) for tag in held[i]]
            held[i].clear()
            return faulted

        try:
            while True:
                for i in range(len(self.workers)):
                    try:
                        fill(i)
                    except (OSError, wire.WireError) as e:
                        yield from replace(i, e)
                if not any(held):
                    if exhausted:
                        return
                    raise RuntimeError("the job source paused with no job in flight")
                for key, _ in selector.select():
                    i = key.data
                    try:
                        result = self.workers[i].receive()
                    except (EOFError, OSError, wire.WireError) as e:
                        yield from replace(i, e)
                    else:
                        yield held[i].popleft(), result
        finally:
            selector.close()

    def close(self) -> None:
        for w in self.workers:
            w.close()


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
    jobs = [(t, p, build_program(p, p["canonical_solution"]), generous) for t, p in problems.items()
            if p.get("canonical_solution") for _ in range(1 if p.get("time_limit_s") else runs)]
    slowest = {}
    for task_id, result in pool.run(jobs):
        if result["verdict"] != "passed":
            slowest[task_id] = None
        elif slowest.get(task_id, 0.0) is not None:  # a stdio problem's limit is per test case
            slowest[task_id] = max(slowest.get(task_id, 0.0), result.get("slowest_s", result["duration_s"]))
    return {t: _dataset_limit(p["time_limit_s"], slowest.get(t), limits) if p.get("time_limit_s")
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
        programs = {t: build_program(problems[t], problems[t]["canonical_solution"]) for t in inputs}
        keys = {t: outputs_key(problems[t], programs[t], encoded[t], pool.isolation) for t in inputs}
        found = {t: cache.get_outputs(keys[t]) for t in inputs} if cache else {}
        jobs = [(t, problems[t], programs[t], generous, None, encoded[t]) for t in inputs if found.get(t) is None]
        for task_id, result in pool.run(jobs):
            if result["verdict"] != "passed":
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


def execute_samples(samples: list, problems: dict, limits: Limits, workers: int, cache_path=None,
                    progress: bool = True) -> list:
    """One record per sample, in order (see judge_samples)."""
    records = []
    judge_samples(samples, problems, limits, workers, records.append, cache_path=cache_path, progress=progress,
                  task_ids=dict.fromkeys(s["task_id"] for s in samples), total=len(samples))
    return records


def judge_samples(samples: Iterable[dict], problems: dict, limits: Limits, workers: int, emit, task_ids,
                  cache_path=None, progress: bool = True, total: int = None, sandbox_paths=()) -> None:
    """Judge a stream of samples and emit(record) for each, in input order:
    verdict, detail, duration, limit, and whether it came from the cache.

    Each distinct program runs once; memory holds only the samples between the
    oldest one still running and the newest one read (the workers' reach), not
    the whole stream. `task_ids` are the problems whose time limits to
    calibrate: every problem the stream names. `sandbox_paths`: see JudgePool."""
    pool = JudgePool(workers, sandbox_paths)
    cache = VerdictCache(cache_path) if cache_path else None
    try:
        isolation = pool.isolation
        # what programs could read is part of what a verdict was made under
        sandbox = ":".join([isolation, *map(str, sandbox_paths)])
        limit_of = calibrate(pool, {t: problems[t] for t in task_ids}, limits)
        base_limits = asdict(limits)
        waiting = deque()  # [task_id, sample_index, key] in input order, not yet emitted
        known = {}  # key -> result, for the programs seen lately
        running = {}  # key -> job
        bar = _progress(total, progress)

        def flush():
            while waiting and waiting[0][2] in known:
                task_id, index, key = waiting.popleft()
                emit({"task_id": task_id, "sample_index": index, "program_sha256": key, "isolation": isolation,
                      **known[key]})
                bar.update(1)
            if len(known) > _KNOWN_MAX:  # forget the programs no waiting sample needs
                needed = {key for _, _, key in waiting}
                for key in [k for k in known if k not in needed]:
                    del known[key]

        def jobs():
            for s in samples:
                problem = problems[s["task_id"]]
                program = build_program(problem, s["completion"])
                code = compile_program(program)  # once, for the key and for the sandbox
                key = program_key(problem, program, limits.memory_mb, sandbox, code)
                waiting.append((s["task_id"], s.get("sample_index"), key))
                if key not in known and key not in running:
                    cached = cache.get(key) if cache else None
                    if cached and still_valid(cached, limit_of[s["task_id"]]):
                        known[key] = {**cached, "cached": True}
                    else:
                        running[key] = (key, problem, program, {**base_limits, "timeout_s": limit_of[s["task_id"]]},
                                        marshal.dumps(code).hex() if code else None)
                        yield running[key]
                flush()
                yield from retries(_WINDOW)
            yield from retries(0)

        def retries(window: int):
            """Resubmit faulted jobs; pause reading while `window` samples
            wait behind programs still running."""
            while retry or (len(waiting) > window and len(running) > len(retry)):
                yield retry.popleft() if retry else None

        retry, retried = deque(), set()
        for key, result in pool.run(jobs()):
            if result["verdict"] == "sandbox_fault" and key not in retried:
                retried.add(key)  # once; scoring refuses a fault left after that
                retry.append(running[key])
            else:
                _record(known, cache, running.pop(key), result)
            flush()
        flush()
        bar.close()
    finally:
        pool.close()
        if cache:
            cache.close()


_WINDOW = 1000  # samples read ahead of the oldest one still running, at most
_KNOWN_MAX = 20_000  # recent verdicts kept for de-duplication; the cache keeps them all


def _record(known: dict, cache, job: tuple, result: dict) -> None:
    key, _, _, job_limits, _ = job
    known[key] = {**result, "limit_s": job_limits["timeout_s"], "cached": False}
    if cache:
        cache.put(key, result, job_limits["timeout_s"])


def limits_from(execution: dict) -> Limits:
    """The sandbox limits named in an execution config."""
    return Limits(**{f.name: execution[f.name] for f in fields(Limits)})


def _progress(total, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="execute", unit="sample", disable=not enabled, file=sys.stderr, mininterval=2.0)
