"""The trusted side of execution: runs a problem's tests against a program
that lives in a sandboxed child, and decides the verdict.

The tests run here, in the judge, with a stand-in for the candidate function:
each call sends its arguments to the child as plain data and returns the
child's answer as fresh builtin values. So the tests' own asserts, tolerances
and loops run unchanged, the program never sees a test or an expected value,
and nothing it builds (a lying __eq__, a patched builtin, a forged frame)
exists in this process. The judge runs as its own process with a scrubbed
environment (`python -I -m passgrid.execution.judge`), talking to passgrid over
stdin/stdout frames.
"""
import ast
import builtins
import ctypes
import json
import math
import os
import signal
import sys
import time

from passgrid.execution import sandbox, stdio, wire
from passgrid.execution.child import death, run_child
from passgrid.execution.limits import Limits
from passgrid.kinds import STDIO
from passgrid.problem import Problem
from passgrid.verdicts import Behaviour, Outcome, digest

# a probe's program loads within the tests' floor (the default's: its own limits carry the probe's), its
# calls within the probe's limit
PROBE_LOAD_S = Limits.timeout_s


class _Timeout(BaseException):
    """The program's time is up (raised into the test by an interval timer)."""


class _Exited(BaseException):
    """The program exited (or died) instead of answering."""


class _NotPlain(TypeError):
    """The program returned something that is not plain data."""


class _Candidate:
    """Stands in for the candidate function inside the tests."""

    def __init__(self, to_child: int, from_child: int, deadline: float):
        self.to_child, self.from_child, self.deadline = to_child, from_child, deadline
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        try:
            wire.send(self.to_child, {"args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)})
            reply = wire.receive(self.from_child, self.deadline)
        except TimeoutError:  # ours, not one the program raised: that arrives as a reply
            raise _Timeout from None
        except (EOFError, BrokenPipeError):  # its process is gone (an EOFError it raised arrives as a reply)
            raise _Exited("gone during a call") from None
        if "value" in reply:
            _copy_back(args, wire.decode(reply["args"]))
        return _value(reply)


def _value(reply: dict):
    """The value a call's reply holds, as fresh builtin values; what the
    program raised, raised here; _Exited where it exited instead."""
    if "value" in reply:
        return wire.decode(reply["value"])
    if "exit" in reply:
        raise _Exited(f"{reply['exit']} during a call")
    if "raise" in reply:
        raise _NotPlain(str(reply.get("message", ""))[:300]) if reply.get("not_plain") else _exception(reply)
    raise wire.WireError("reply is neither a value nor an exception")


def _copy_back(args: tuple, after: list) -> None:
    """Mutations of list, dict and set arguments become visible to the tests,
    as they would be in one process."""
    if type(after) is not list or len(after) != len(args):
        return
    for before, now in zip(args, after):
        if type(before) is list and type(now) is list:
            before[:] = now
        elif type(before) is dict and type(now) is dict:
            before.clear(), before.update(now)
        elif type(before) is set and type(now) is set:
            before.clear(), before.update(now)


def _exception(reply: dict) -> BaseException:
    cls = getattr(builtins, str(reply.get("raise")), None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = Exception
    return cls(str(reply.get("message", ""))[:300])


class Judge:
    """One worker: a zygote for sandboxes, and the problems' compiled tests."""

    def __init__(self, namespaces: bool = True, extra_paths=(), allowlist: bool = True, hidden_paths=()):
        self.zygote_process, self.zygote, self.isolation = sandbox.start_zygote(namespaces, extra_paths, allowlist,
                                                                                hidden_paths)
        self.compiled = {}
        signal.signal(signal.SIGALRM, self._alarm)

    @staticmethod
    def _alarm(signum, frame):
        raise _Timeout

    def _tests(self, problem: Problem):
        key = (problem.task_id, hash(problem.prompt), hash(problem.test))
        if key not in self.compiled:
            # The prompt's own helpers (HumanEval/32's poly, /38's encode_cyclic)
            # come from the dataset, never from the program.
            test = compile(problem.test, f"<test {problem.task_id}>", "exec")
            self.compiled[key] = (_compile_prompt(problem), test)
        return self.compiled[key]

    def run(self, problem: Problem, program: str, limits: dict, code: str = None) -> dict:
        """Judge one program: its text, or `code`, its marshalled code object in
        hex (compiled by passgrid, which the sandbox then loads instead)."""
        if problem.kind == STDIO:
            return stdio.run(self.zygote, problem, program, limits, code)
        start = time.monotonic()
        limit_s = limits["timeout_s"]
        # a probe's short limit is for each part's calls: loading the program gets the tests' floor
        load_s = limit_s if problem.probe is None else max(limit_s, PROBE_LOAD_S)
        cpu_s = None if problem.probe is None else int(load_s + len(self._parts(problem)) * limit_s) + 1
        with run_child(self.zygote, limits, cpu_s=cpu_s) as child:
            verdict, detail, behaviour = self._judge(problem, program, code, child.to_child, child.from_child,
                                                     start + load_s, limit_s)
        if verdict == "died":
            verdict, detail = death(child)
        result = {"verdict": verdict, "detail": detail, "duration_s": round(time.monotonic() - start, 4)}
        if behaviour is not None:  # a probe stopped early keeps what it answered before
            result["behaviour"] = behaviour.to_json()
        return result

    def outputs(self, problem: Problem, program: str, inputs: list, limits: dict, code: str = None) -> dict:
        """Call a trusted program (a reference solution) on each of `inputs`
        (wire-encoded argument lists) in the sandbox, each call with the time
        limit: {"verdict": "passed", "outputs": [{"value": wire-encoded}, or
        None where it raised or ran out of time]}, or an "error" verdict where
        the program did not load or its child died."""
        outputs, start = [], time.monotonic()
        with run_child(self.zygote, limits, cpu_s=(len(inputs) + 1) * (int(limits["timeout_s"]) + 1)) as child:
            try:
                wire.send(child.to_child, _program_message(problem, program, code))
                hello = wire.receive(child.from_child, time.monotonic() + limits["timeout_s"])
                if "ready" not in hello:
                    return {"verdict": Outcome.ERROR, "detail": f"reference: {str(hello.get('message'))[:300]}"}
                for args in inputs:
                    candidate = _Candidate(child.to_child, child.from_child, time.monotonic() + limits["timeout_s"])
                    try:
                        outputs.append({"value": wire.encode(candidate(*wire.decode(args)))})
                    except _Timeout:
                        outputs.append(None)
                        break  # the child is stuck: the rest stay unknown
                    except (wire.WireError, _NotPlain):
                        raise  # not answering in frames, or with what no test could compare
                    except Exception:  # noqa: BLE001 -- the reference raised on this input
                        outputs.append(None)
            except (_Exited, _NotPlain, TimeoutError, EOFError, BrokenPipeError, wire.WireError) as e:
                return {"verdict": Outcome.ERROR, "detail": f"reference: {type(e).__name__} after {len(outputs)} input(s)"
                                                      f"{': ' + str(e)[:200] if isinstance(e, _NotPlain) else ''}"}
        outputs += [None] * (len(inputs) - len(outputs))
        return {"verdict": Outcome.PASSED, "detail": "", "outputs": outputs, "duration_s": round(time.monotonic() - start, 4)}

    def _judge(self, problem: Problem, program: str, code, to_child: int, from_child: int, deadline: float,
               limit_s: float):
        """(verdict, detail, the behaviour on a probe's inputs, on those it
        answered where it stopped early, or None).
        `deadline`: the program loaded, and the tests run, by then; a probe's
        calls get `limit_s` per part, from when the program is loaded."""
        answers = _Answers()
        try:
            wire.send(to_child, _program_message(problem, program, code))
            try:
                hello = wire.receive(from_child, deadline)
            except TimeoutError:
                raise _Timeout from None
            if "exit" in hello:
                return Outcome.ERROR, f"program: {hello['exit']} before the tests ran", None
            if "raise" in hello:
                return (Outcome.MEMORY if hello.get("raise") == "MemoryError" else Outcome.ERROR), \
                    f"program: {str(hello.get('message'))[:300]}", None
            if problem.probe is not None:
                return self._probe(self._parts(problem), to_child, from_child, limit_s, answers)
            prompt_code, test_code = self._tests(problem)
            namespace = {"__name__": "__passgrid_tests__"}
            exec(prompt_code, namespace)
            candidate = _Candidate(to_child, from_child, deadline)
            # Some tests call the function by name (HumanEval/33): as in one
            # process, that name means the program's function.
            namespace[problem.entry_point] = candidate
            exec(test_code, namespace)
            signal.setitimer(signal.ITIMER_REAL, max(1e-3, deadline - time.monotonic()))
            namespace["check"](candidate)
            signal.setitimer(signal.ITIMER_REAL, 0)
            return Outcome.PASSED, f"{candidate.calls} calls", None
        except _Timeout:
            return Outcome.TIMEOUT, f"time limit{answers.so_far()}", answers.behaviour()
        except (EOFError, BrokenPipeError, _Exited):
            return "died", "", answers.behaviour()
        except wire.WireError as e:
            return Outcome.ERROR, f"not plain data: {e}", None
        except AssertionError as e:
            return Outcome.FAILED, f"AssertionError: {str(e)[:300]}", None
        except MemoryError:
            return Outcome.MEMORY, "MemoryError", None
        except Exception as e:  # an exception of the candidate's, or of the tests on its answer
            return Outcome.ERROR, f"{type(e).__name__}: {str(e)[:300]}", None

    def _parts(self, problem: Problem) -> list:
        """A probe's inputs, in parts, read once per problem (they are the dataset's, not the program's)."""
        key = (problem.task_id, "probe", problem.probe)
        if key not in self.compiled:
            self.compiled[key] = ast.literal_eval(problem.probe)
        return self.compiled[key]

    @staticmethod
    def _probe(parts: list, to_child: int, from_child: int, limit_s: float, answers: "_Answers"):
        """The program on each input of each part (passgrid.analysis.selection's
        probe: the shown tests, then the model-written tests), each part within
        `limit_s` of the last: a digest of each answer (or the exception it
        raised) and whether it was right, kept in `answers` as they come. The
        inputs go to the child at once; its answers come back one frame each."""
        wire.send(to_child, {"calls": [{"args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
                                       for part in parts for args, kwargs, _ in part]})
        for part in parts:
            deadline = time.monotonic() + limit_s
            signal.setitimer(signal.ITIMER_REAL, limit_s)
            for _, _, expected in part:
                try:
                    reply = wire.receive(from_child, deadline)
                except TimeoutError:
                    raise _Timeout from None
                answers.add(reply, expected)
        signal.setitimer(signal.ITIMER_REAL, 0)
        behaviour, asked = answers.behaviour(), sum(map(len, parts))
        verdict = Outcome.PASSED if behaviour is None or behaviour.passed == asked else Outcome.FAILED
        return verdict, f"{behaviour.passed if behaviour else 0} of {asked} inputs right", behaviour


class _Answers:
    """A probe's answers so far: each one's digest (or the exception it
    raised), and whether it was the expected value."""

    def __init__(self):
        self.answers = []  # (output, right): one list, grown in one step, which the interval timer cannot split

    def add(self, reply: dict, expected) -> None:
        try:
            got = _value(reply)
        except Exception as e:  # noqa: BLE001 -- raised by the program, or not plain data: an output all the same
            output, right = f"raise {type(e).__name__}", False
        else:
            output = digest(repr(got).encode("utf-8", "surrogatepass"))
            right = bool(got == expected or (type(got) is float and type(expected) in (int, float)
                                             and math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9)))
        self.answers.append((output, right))

    def behaviour(self):
        """Its Behaviour on the inputs answered so far (None where none was)."""
        return Behaviour.of(*zip(*self.answers)) if self.answers else None

    def so_far(self) -> str:
        return f" after {len(self.answers)} input(s) answered" if self.answers else ""


def _program_message(problem: Problem, program: str, code) -> dict:
    """What the child loads, and which function's answers it gives (of which
    only what the problem's "answer" says: passgrid.kinds.ANSWER_IS_NOT_NONE)."""
    return {"program": program, "code": code, "entry_point": problem.entry_point, "answer": problem.answer}


def _compile_prompt(problem: Problem):
    """The prompt as a module: HumanEval's stubs end in a docstring and compile
    as they are; a bare signature gets a `pass` body."""
    name = f"<prompt {problem.task_id}>"
    try:
        return compile(problem.prompt, name, "exec")
    except SyntaxError:
        return compile(problem.prompt.rstrip() + "\n    pass\n", name, "exec")


def main() -> None:
    """Serve on stdin/stdout: {"problem"} registers a problem;
    {"task_id", "program" or "code", "limits"} is judged, and answered with a verdict;
    with "inputs", the program is called on them instead (Judge.outputs)."""
    # Not traceable by a program, even one sharing the user's uid (rlimits only): the tests live here.
    ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE
    extra = json.loads(os.environ.get("PASSGRID_SANDBOX_PATHS") or "[]")
    hidden = json.loads(os.environ.get("PASSGRID_HIDDEN_PATHS") or "[]")
    judge = Judge(namespaces=os.environ.get("PASSGRID_NO_NAMESPACES") is None, extra_paths=extra,
                  allowlist=os.environ.get("PASSGRID_NO_ALLOWLIST") is None, hidden_paths=hidden)
    # Frames go out on a copy of stdout; what a dataset's tests print goes to
    # stderr instead of into the frames.
    rfd, wfd = sys.stdin.fileno(), os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    wire.send(wfd, {"isolation": judge.isolation})
    problems = {}
    while True:
        try:
            job = wire.receive(rfd)
        except EOFError:
            return
        if "problem" in job:
            problem = Problem.from_json(job["problem"], "a problem sent to the judge")
            problems[problem.task_id] = problem
        elif "inputs" in job:
            wire.send(wfd, judge.outputs(problems[job["task_id"]], job.get("program"), job["inputs"], job["limits"],
                                         job.get("code")))
        else:
            wire.send(wfd, judge.run(problems[job["task_id"]], job.get("program"), job["limits"], job.get("code")))


if __name__ == "__main__":
    main()
