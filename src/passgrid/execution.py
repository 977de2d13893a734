"""Run every sample against its problem's tests: in parallel judge workers,
each with its own sandbox fork server (passgrid.judge, passgrid.sandbox),
once per distinct program, with verdicts cached by content.

Per-problem time limits come from the reference solution's own runtime,
measured in the same sandbox: max(floor, factor x reference), so that a
verdict does not hinge on the machine's speed.
"""
import os
import queue
import subprocess
import sys
import threading
from collections import Counter
from dataclasses import asdict, dataclass, fields

from passgrid import wire
from passgrid.verdict_cache import VerdictCache, program_key, still_valid

VERDICTS = ("passed", "failed", "timeout", "error", "memory", "sandbox_fault")


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 3.0  # the floor of every problem's time limit
    timeout_factor: float = 20.0  # times the reference solution's runtime
    memory_mb: int = 2048
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64


def build_program(problem: dict, completion: str) -> str:
    """The program a sample stands for: the prompt with the completion appended."""
    return problem["prompt"] + completion


class JudgeWorker:
    """One `python -I -m passgrid.judge` process with a scrubbed environment:
    nothing of passgrid's environment (API keys) is in its memory to be read."""

    def __init__(self):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        if os.environ.get("PASSGRID_NO_NAMESPACES"):
            env["PASSGRID_NO_NAMESPACES"] = "1"
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", "import sys; sys.path[:0] = "
                                      f"{[p for p in sys.path if p]!r}; from passgrid.judge import main; main()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.isolation = wire.receive(self.proc.stdout.fileno(), None)["isolation"]

    def run(self, problem: dict, program: str, limits: dict) -> dict:
        wire.send(self.proc.stdin.fileno(), {"problem": problem, "program": program, "limits": limits})
        return wire.receive(self.proc.stdout.fileno())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


class JudgePool:
    def __init__(self, workers: int):
        self.workers = [JudgeWorker() for _ in range(max(1, workers))]
        self.isolation = self.workers[0].isolation

    def run(self, jobs):
        """Yield (tag, result) for (tag, problem, program, limits) jobs, as they finish."""
        todo, done = queue.Queue(maxsize=4 * len(self.workers)), queue.Queue()

        def serve(index: int):
            while (job := todo.get()) is not None:
                tag, problem, program, limits = job
                try:
                    result = self.workers[index].run(problem, program, limits)
                except (EOFError, OSError, wire.WireError) as e:  # the worker died: a fault, not a verdict
                    result = {"verdict": "sandbox_fault", "detail": f"judge worker died: {e!r}", "duration_s": 0.0}
                    self.workers[index] = JudgeWorker()
                done.put((tag, result))

        threads = [threading.Thread(target=serve, args=(i,), daemon=True) for i in range(len(self.workers))]
        for t in threads:
            t.start()
        count = 0

        def feed():
            nonlocal count
            for job in jobs:
                todo.put(job)
                count += 1
            for _ in threads:
                todo.put(None)

        feeder = threading.Thread(target=feed, daemon=True)
        feeder.start()
        received = 0
        while feeder.is_alive() or received < count:
            try:
                item = done.get(timeout=0.1)
            except queue.Empty:
                continue
            received += 1
            yield item

    def close(self) -> None:
        for w in self.workers:
            w.close()


def calibrate(pool: JudgePool, problems: dict, limits: Limits, runs: int = 3) -> dict:
    """task_id -> time limit: max(floor, factor x the reference solution's
    slowest of `runs` runs in this sandbox); the floor where there is no
    reference or it does not pass."""
    generous = {**asdict(limits), "timeout_s": max(10 * limits.timeout_s, 30.0)}
    jobs = [(t, p, build_program(p, p["canonical_solution"]), generous)
            for t, p in problems.items() if p.get("canonical_solution") for _ in range(runs)]
    slowest = {}
    for task_id, result in pool.run(jobs):
        if result["verdict"] != "passed":
            slowest[task_id] = None
        elif slowest.get(task_id, 0.0) is not None:
            slowest[task_id] = max(slowest.get(task_id, 0.0), result["duration_s"])
    return {t: max(limits.timeout_s, limits.timeout_factor * slowest[t]) if slowest.get(t) else limits.timeout_s
            for t in problems}


def execute_samples(samples: list, problems: dict, limits: Limits, workers: int, cache_path=None,
                    progress: bool = True) -> list:
    """One record per sample, in order: verdict, detail, duration, limit, and
    whether it came from the cache. Each distinct program runs once."""
    pool = JudgePool(workers)
    cache = VerdictCache(cache_path) if cache_path else None
    try:
        isolation = pool.isolation
        limit_of = calibrate(pool, {t: problems[t] for t in dict.fromkeys(s["task_id"] for s in samples)}, limits)
        keys, results, jobs = [], {}, {}
        for s in samples:
            problem = problems[s["task_id"]]
            program = build_program(problem, s["completion"])
            key = program_key(problem, program, limits.memory_mb, isolation)
            keys.append(key)
            if key in results or key in jobs:
                continue
            cached = cache.get(key) if cache else None
            if cached and still_valid(cached, limit_of[s["task_id"]]):
                results[key] = {**cached, "cached": True}
            else:
                job_limits = {**asdict(limits), "timeout_s": limit_of[s["task_id"]]}
                jobs[key] = (key, problem, program, job_limits)
        bar = _progress(len(samples), progress)
        bar.update(sum(1 for k in keys if k in results))
        per_key = Counter(keys)
        faults = []
        for key, result in pool.run(jobs.values()):
            if result["verdict"] == "sandbox_fault":
                faults.append(jobs[key])
            else:
                _record(results, cache, jobs[key], result)
            bar.update(per_key[key])
        for key, result in pool.run(faults):  # retried once; scoring refuses what is left
            _record(results, cache, jobs[key], result)
        bar.close()
    finally:
        pool.close()
        if cache:
            cache.close()
    return [{"task_id": s["task_id"], "sample_index": s.get("sample_index"), "program_sha256": key,
             "isolation": isolation, **results[key]} for s, key in zip(samples, keys)]


def _record(results: dict, cache, job: tuple, result: dict) -> None:
    key, _, _, job_limits = job
    results[key] = {**result, "limit_s": job_limits["timeout_s"], "cached": False}
    if cache:
        cache.put(key, result, job_limits["timeout_s"])


def limits_from(execution: dict) -> Limits:
    """The sandbox limits named in an execution config."""
    return Limits(**{f.name: execution[f.name] for f in fields(Limits)})


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="execute", unit="sample", disable=not enabled, file=sys.stderr, mininterval=2.0)
