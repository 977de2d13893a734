"""The trusted side of judging a whole program on standard input and output
(problems of kind "stdio": CodeContests, APPS, LiveCodeBench).

Each test case runs in a fresh sandboxed child: its input on fd 0 (a memory
file), its fd 1 a pipe that this process reads, at most OUTPUT_CAP beyond
what the answer needs. The program never sees an expected output; what it
wrote is compared here (`outputs_match`). A problem's first failing case
decides its verdict, as contest judges do.

The problem carries its cases in `stdio` (passgrid.problem.StdioTests).
A probe (selection's: passgrid.analysis.selection) runs every public case
and records the program's behaviour (passgrid.verdicts.Behaviour): a digest
of each output and how many were right.
"""
import math
import os
import selectors
import time
from decimal import Decimal, InvalidOperation

from passgrid.execution import wire
from passgrid.execution.child import death, run_child
from passgrid.kinds import DEFAULT_CHECKER
from passgrid.problem import Problem, StdioTests
from passgrid.verdicts import DID_NOT_FINISH, Behaviour, Outcome, digest

FLOAT_TOLERANCE = 1e-6  # absolute or relative, for tokens the answer writes as decimals
OUTPUT_CAP = 1 << 20  # bytes a program may write beyond twice the expected output's size
_TIMED_OUT, _OVER = "timed out", "over"  # how a case's output ended, besides a closing word


def cases(tests: StdioTests) -> list:
    """[(input, output, public)] of a stdio problem, public ones first."""
    return [(i, o, True) for i, o in tests.public] + [(i, o, False) for i, o in tests.hidden]


def outputs_match(got: bytes, expected: str, checker: str = DEFAULT_CHECKER) -> bool:
    """"tokens": token-wise, whitespace-insensitive (trailing spaces and
    blank lines do not matter); a token the answer writes as a decimal
    (`0.5`, `1e-3`) matches a number within FLOAT_TOLERANCE, absolute or
    relative; every other token must be equal as text (integers exactly).
    "lines", as LiveCodeBench's checker: the same number of lines, each
    stripped, equal as text or as a list of decimals equal exactly."""
    text = got.decode("utf-8", errors="replace")
    if checker == "lines":
        mine, theirs = [line.strip() for line in text.strip().split("\n")], \
            [line.strip() for line in expected.strip().split("\n")]
        return len(mine) == len(theirs) and all(a == b or _same_decimals(a, b) for a, b in zip(mine, theirs))
    mine, theirs = text.split(), expected.split()
    if len(mine) != len(theirs):
        return False
    return all(a == b or _close(a, b) for a, b in zip(mine, theirs))


def _same_decimals(got: str, want: str) -> bool:
    try:
        return [Decimal(x) for x in got.split()] == [Decimal(x) for x in want.split()]
    except InvalidOperation:
        return False


def _close(got: str, want: str) -> bool:
    if not any(c in want for c in ".eE") or want.lower() in ("inf", "nan", "-inf", "+inf"):
        return False
    try:
        a, b = float(got), float(want)
    except ValueError:
        return False
    return math.isfinite(a) and math.isclose(a, b, rel_tol=FLOAT_TOLERANCE, abs_tol=FLOAT_TOLERANCE)


def run(zygote, problem: Problem, program: str, limits: dict, code: str = None) -> dict:
    """Judge one program on every case of a stdio problem; each case has the
    time limit `limits["timeout_s"]`."""
    start, slowest = time.monotonic(), 0.0
    all_cases, probe, checker = cases(problem.stdio), problem.stdio.probe, problem.stdio.checker
    verdict, detail, right, outputs, unran = Outcome.PASSED, f"{len(all_cases)} tests", [], [], None
    for number, (stdin, expected, public) in enumerate(all_cases, 1):
        case_start = time.monotonic()
        case_verdict, case_detail, output = _run_case(zygote, program, code, stdin, expected, limits, checker)
        slowest = max(slowest, time.monotonic() - case_start)
        right.append(case_verdict == Outcome.PASSED)
        outputs.append(output if case_verdict in (Outcome.PASSED, Outcome.FAILED) else str(case_verdict))
        unran = unran or (case_verdict if case_verdict in DID_NOT_FINISH else None)  # no outputs to agree on
        if case_verdict != Outcome.PASSED and not probe:
            verdict = case_verdict
            detail = f"test {number} of {len(all_cases)} ({'public' if public else 'hidden'}): {case_detail}"
            break
    result = {"verdict": verdict, "detail": detail, "duration_s": round(time.monotonic() - start, 4),
              "slowest_s": round(slowest, 4)}
    if probe and unran:  # as a function's probe that times out: it did not run through the examples
        result.update(verdict=unran, detail="probe: a public test did not run through")
    elif probe:  # each output as the checker reads it, whitespace runs alike
        behaviour = Behaviour.of((digest(b" ".join(o.split())) if isinstance(o, bytes) else o for o in outputs),
                                 right)
        result.update(verdict=Outcome.PASSED if behaviour.passed == len(all_cases) else Outcome.FAILED,
                      detail=f"{behaviour.passed} of {len(all_cases)} public tests", behaviour=behaviour.to_json())
    return result


def _run_case(zygote, program: str, code, stdin: str, expected: str, limits: dict, checker: str):
    deadline = time.monotonic() + limits["timeout_s"]
    out_r, out_w = os.pipe()
    input_fd = os.memfd_create("stdin")
    os.write(input_fd, stdin.encode("utf-8"))
    os.lseek(input_fd, 0, os.SEEK_SET)
    try:
        with run_child(zygote, limits, [input_fd, out_w], stdio=True) as child:
            try:
                wire.send(child.to_child, {"program": program, "code": code})
                output, ending = _collect(out_r, child.from_child, deadline,
                                          2 * len(expected.encode("utf-8")) + OUTPUT_CAP)
            except (BrokenPipeError, wire.WireError):
                output, ending = b"", {}
    finally:
        os.close(out_r)
    verdict, detail = _verdict(output, ending, child, expected, checker)
    return verdict, detail, output


def _verdict(output: bytes, ending, child, expected: str, checker: str):
    if ending == _TIMED_OUT:
        return Outcome.TIMEOUT, "time limit"
    if ending == _OVER:
        return Outcome.FAILED, f"wrote more than {len(output)} bytes"
    if "raise" in ending:
        return (Outcome.MEMORY if ending["raise"] == "MemoryError" else Outcome.ERROR), str(ending.get("message"))[:300]
    if "exit" in ending:
        return Outcome.ERROR, f"{ending['exit']}"
    # Past its closing word the child may still be exiting when it is killed,
    # so its status counts only where it ended without one (os._exit(0): a
    # normal end; a signal or another status: a death).
    if "done" not in ending and (child.oom or os.WIFSIGNALED(child.status) or os.WEXITSTATUS(child.status)):
        return death(child)
    return (Outcome.PASSED, "") if outputs_match(output, expected, checker) else (Outcome.FAILED, "wrong answer")


def _collect(out_r: int, from_child: int, deadline: float, cap: int):
    """(what the program wrote, how it ended): its closing message, {} where
    it died without one, _TIMED_OUT, or _OVER past `cap` bytes."""
    chunks, size = [], 0
    selector = selectors.DefaultSelector()
    selector.register(out_r, selectors.EVENT_READ, "out")
    selector.register(from_child, selectors.EVENT_READ, "end")
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return b"".join(chunks), _TIMED_OUT
            for key, _ in selector.select(left):
                if key.data == "out":
                    chunk = os.read(out_r, 1 << 16)
                    if not chunk:
                        selector.unregister(out_r)
                        continue
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > cap:
                        return b"".join(chunks)[:cap], _OVER
                else:
                    try:
                        ending = wire.receive(from_child, deadline)
                    except (EOFError, TimeoutError):
                        ending = {}
                    except wire.WireError as e:  # a frame the program forged
                        ending = {"exit": f"a malformed closing message ({e})"}
                    os.set_blocking(out_r, False)  # what it wrote before it ended is in the pipe
                    while size <= cap:
                        try:
                            chunk = os.read(out_r, 1 << 16)
                        except BlockingIOError:
                            break
                        if not chunk:
                            break
                        chunks.append(chunk)
                        size += len(chunk)
                    return b"".join(chunks)[:cap], (_OVER if size > cap else ending)
    finally:
        selector.close()
