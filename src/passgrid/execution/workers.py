"""Judge workers, and the pool that feeds them: one program can fail only
itself, never the run.

A worker is a judge process (passgrid.execution.judge) with its sandbox's
zygote. A worker that dies, or stops answering, takes the jobs it held with
it: each is run again alone on an idle worker, and one that brings down its
worker alone gets the verdict Outcome.CRASH, a class of its own that never counts as
passed. A job too large to send is an error verdict, unsent.
"""
import json
import os
import selectors
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass

from passgrid import PassgridError
from passgrid.execution import wire
from passgrid.execution.sandbox import KNOBS, WEAKNESSES, missing_parts
from passgrid.kinds import STDIO
from passgrid.problem import Problem
from passgrid.verdicts import Outcome

GRACE_S = 60.0  # beyond twice its time limits, before a silent worker is given up
# The most written to a busy judge, which reads its next job only once its
# current one is done: below a pipe's 64 KiB, so that passgrid never waits
# on a write (nor a judge, writing a long answer, on passgrid). A larger job
# goes to an idle judge.
BUSY_WRITE_MAX = 48 << 10


class JudgeWorker:
    """One `python -I -m passgrid.execution.judge` process with a scrubbed environment:
    nothing of passgrid's environment (API keys) is in its memory to be read.
    A problem is sent to it once; each job then names its task."""

    def __init__(self, sandbox_paths=(), hidden_paths=()):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "PASSGRID_SANDBOX_PATHS": json.dumps([os.path.abspath(p) for p in sandbox_paths]),
               "PASSGRID_HIDDEN_PATHS": json.dumps([os.path.abspath(p) for p in hidden_paths])}
        for flag in KNOBS:
            if os.environ.get(flag):
                env[flag] = "1"
        self.proc = subprocess.Popen([sys.executable, "-I", "-c", "import sys; sys.path[:0] = "
                                      f"{[p for p in sys.path if p]!r}; from passgrid.execution.judge import main; main()"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.to_judge, self.from_judge = self.proc.stdin.fileno(), self.proc.stdout.fileno()
        self.isolation = wire.receive(self.from_judge, None)["isolation"]
        self.problems = {}  # task_id -> the problem as last sent

    def frames(self, problem: Problem, program: str, limits: dict, code: str = None, inputs: list = None) -> bytes:
        """What submitting a job writes: its problem where this judge lacks it,
        then the job. `code`: the program compiled and marshalled, in hex (the
        sandbox then skips compiling it); None to send the text alone.
        `inputs`: call the program on these argument lists instead of judging
        it (Judge.outputs). WireError where the job's frame is over the limit
        (the program's doing); PassgridError where the problem's is."""
        if code and len(code) > wire.MAX_FRAME // 2:  # a huge program goes as its text (hex doubles the size)
            code = None
        job = wire.pack({"task_id": problem.task_id, "limits": limits,
                         **({"code": code} if code else {"program": program}),
                         **({"inputs": inputs} if inputs is not None else {})})
        if self.problems.get(problem.task_id) is problem:
            return job
        try:
            return wire.pack({"problem": problem.to_json()}) + job
        except wire.WireError as e:
            raise PassgridError(f"{problem.task_id}: the problem is too large to judge ({e})") from None

    def write(self, data: bytes, problem: Problem) -> None:
        wire.write(self.to_judge, data)
        self.problems[problem.task_id] = problem

    def receive(self) -> dict:
        return wire.receive(self.from_judge)

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):  # a judge still busy with a program: it is ended
            self.proc.kill()
            self.proc.wait()


def budget_s(job: tuple) -> float:
    """How long a worker may take over a job before it is given up: twice the
    time limits of all its calls or test cases, and GRACE_S."""
    problem, limits, inputs = job[1], job[3], (job[5] if len(job) > 5 else None)
    if inputs is not None:
        units = len(inputs)
    elif problem.kind == STDIO:
        units = len(problem.stdio.public) + len(problem.stdio.hidden)
    else:
        units = 1
    return 2 * (limits["timeout_s"] + 1) * max(1, units) + GRACE_S


class JudgePool:
    """Judge workers fed from one thread: each holds up to IN_FLIGHT jobs, so
    that it never waits for passgrid between programs."""

    IN_FLIGHT = 2

    def __init__(self, workers: int, sandbox_paths=(), hidden_paths=()):
        """`sandbox_paths`: what programs may read besides the interpreter and
        the system (passgrid.execution.rootfs.allowed_paths); `hidden_paths`:
        where the caller keeps tests and verdicts (a workflow's results), hidden
        from programs besides what passgrid.execution.rootfs.hidden_paths knows."""
        self.sandbox_paths, self.hidden_paths = tuple(sandbox_paths), tuple(hidden_paths)
        self.workers = [JudgeWorker(self.sandbox_paths, self.hidden_paths) for _ in range(max(1, workers))]
        self.isolation = self.workers[0].isolation
        for part in missing_parts(self.isolation):
            print(f"passgrid: sandbox isolation {self.isolation}: {WEAKNESSES[part]}", file=sys.stderr)

    def run(self, jobs):
        """Yield (tag, result) for (tag, problem, program, limits[, code[, inputs]])
        jobs, as they finish (code, inputs: see JudgeWorker.frames). The job
        source may yield None for "nothing now": it is asked again after the
        next result (so it may do that only while jobs are held)."""
        return _Schedule(self, iter(jobs)).results()

    def replace(self, i: int) -> None:
        self.workers[i].proc.kill()
        self.workers[i].proc.wait()
        self.workers[i] = JudgeWorker(self.sandbox_paths, self.hidden_paths)
        if self.workers[i].isolation != self.isolation:  # verdicts are recorded and cached under the pool's level
            raise RuntimeError(f"a fresh judge worker came up with isolation {self.workers[i].isolation}, "
                               f"not the pool's {self.isolation}")

    def close(self) -> None:
        for w in self.workers:
            w.close()


class _Schedule:
    """One pass of JudgePool.run: what each worker holds, the jobs to run
    again alone, and the results decided without a worker."""

    def __init__(self, pool: JudgePool, jobs):
        self.pool, self.jobs, self.exhausted = pool, jobs, False
        self.held = [deque() for _ in pool.workers]  # per worker: _Held, oldest first
        self.since = [0.0] * len(pool.workers)  # when each worker's oldest job became its current one
        self.alone, self.decided = deque(), deque()
        self.parked = deque()  # jobs too large for a busy judge, waiting for an idle one

    def results(self):
        selector = selectors.DefaultSelector()
        for i, worker in enumerate(self.pool.workers):
            selector.register(worker.from_judge, selectors.EVENT_READ, i)
        try:
            while True:
                for i in range(len(self.pool.workers)):
                    self._fill(i, selector)
                answered = bool(self.decided)
                while self.decided:
                    yield self.decided.popleft()
                busy = [i for i, held in enumerate(self.held) if held]
                if not busy:
                    if self.alone or self.parked or answered:  # the source may go on now its answers are out
                        continue
                    if self.exhausted:
                        return
                    raise RuntimeError("the job source paused with no job in flight")
                first = min(self._deadline(i) for i in busy)
                ready = {key.data for key, _ in selector.select(max(0.0, first - time.monotonic()))}
                for i in busy:
                    if i in ready:
                        yield from self._receive(i, selector)
                    elif time.monotonic() > self._deadline(i):
                        self._lost(i, selector, TimeoutError(f"no answer in {self.held[i][0].budget_s:.0f} s"))
        finally:
            selector.close()

    def _deadline(self, i: int) -> float:
        return self.since[i] + self.held[i][0].budget_s

    def _receive(self, i: int, selector):
        try:
            result = self.pool.workers[i].receive()
        except (EOFError, OSError, wire.WireError) as e:
            self._lost(i, selector, e)
        else:
            self.since[i] = time.monotonic()
            yield self.held[i].popleft().job[0], result

    def _fill(self, i: int, selector) -> None:
        held, worker = self.held[i], self.pool.workers[i]
        while not (held and held[0].alone) and len(held) < JudgePool.IN_FLIGHT:
            if (self.alone or self.parked) and held:
                return  # a job to run alone, or a large one, waits for an idle worker
            if self.alone:
                job, alone = self.alone.popleft(), True
            elif self.parked:
                job, alone = self.parked.popleft(), False
            else:
                job, alone = (StopIteration if self.exhausted else next(self.jobs, StopIteration)), False
                if job is StopIteration or job is None:
                    self.exhausted = job is StopIteration
                    return
            try:
                data = worker.frames(*job[1:])
            except wire.WireError as e:  # over the frame limit: the program's doing, and nothing is sent
                self.decided.append((job[0], {"verdict": Outcome.ERROR, "detail": f"program: {e}", "duration_s": 0.0}))
                continue
            if held and len(data) > BUSY_WRITE_MAX:
                self.parked.append(job)
                return
            if not held:
                self.since[i] = time.monotonic()
            held.append(_Held(job, alone, budget_s(job)))
            try:
                worker.write(data, job[1])
            except OSError as e:
                self._lost(i, selector, e)
                return

    def _lost(self, i: int, selector, error: Exception) -> None:
        """Worker i died or went silent: a fresh one in its place; its jobs run
        again alone, or, where one already ran alone, it is the program's doing."""
        selector.unregister(self.pool.workers[i].from_judge)
        self.pool.replace(i)
        selector.register(self.pool.workers[i].from_judge, selectors.EVENT_READ, i)
        for held in self.held[i]:
            if held.alone:
                self.decided.append((held.job[0], {"verdict": Outcome.CRASH, "duration_s": 0.0,
                                                   "detail": f"it brought down its judge, alone: {error!r}"[:300]}))
            else:
                self.alone.append(held.job)
        self.held[i].clear()


@dataclass
class _Held:
    job: tuple
    alone: bool
    budget_s: float
