"""How a sample fared against its tests: the outcomes a verdict can have,
spelled here only; what a sample did on given inputs (its Behaviour); and
the Verdict record, one per sample, that the execution layer emits and the
analysis reads (a JSON line of executions.jsonl, read and written here only).
"""
import hashlib
from dataclasses import dataclass
from enum import Enum
from typing import Optional

from passgrid import PassgridError
from passgrid.files import read_jsonl_lines


class Outcome(str, Enum):
    PASSED = "passed"  # every test passed
    FAILED = "failed"  # a test failed (an assertion, a wrong output)
    TIMEOUT = "timeout"  # past its time limit
    MEMORY = "memory"  # past its memory limit
    ERROR = "error"  # raised, exited or did not load before the tests finished
    CRASH = "crash"  # brought down its judge or sandbox, alone
    SANDBOX_FAULT = "sandbox_fault"  # the sandbox failed, not the program: nothing is known of it

    def __str__(self) -> str:
        return self.value


# Stopped by a limit before its tests finished: it has no outputs to judge or agree on
DID_NOT_FINISH = (Outcome.TIMEOUT, Outcome.MEMORY)


def digest(output: bytes) -> str:
    """An output's digest, as a behaviour records it (taken by the judge)."""
    return hashlib.sha256(output).hexdigest()[:16]


@dataclass(frozen=True)
class Behaviour:
    """What a sample did on the inputs a user has (a problem's examples, or
    its public tests), in the order given: `outputs`, a digest of each output
    (or, where there was none, "raise NAME" where a function raised, a stdio
    case's verdict where it wrote no answer), how many were the expected one,
    and which (`right`: "1" or "0" per input; "" in records written before
    it was kept). Recorded by the judge in the trusted process, beside the
    verdict (record["behaviour"]): on every input where the sample ran through
    them, on those it answered before it stopped where it did not."""
    passed: int
    outputs: tuple
    right: str = ""

    @property
    def signature(self) -> str:
        """One digest of all its outputs: samples that agree on every input share it."""
        return digest("\0".join(self.outputs).encode())

    @property
    def right_on(self) -> frozenset:
        """The inputs (by position) whose output was the expected one."""
        if len(self.right) != len(self.outputs):
            raise PassgridError("this behaviour was recorded without which inputs it got right; judge it again")
        return frozenset(i for i, r in enumerate(self.right) if r == "1")

    def to_json(self) -> dict:
        return {"passed": self.passed, "outputs": list(self.outputs), **({"right": self.right} if self.right else {})}

    @classmethod
    def from_json(cls, value: dict) -> "Behaviour":
        return cls(int(value["passed"]), tuple(str(o) for o in value["outputs"]), str(value.get("right", "")))

    def part(self, start: int, stop: int = None):
        """Its behaviour on inputs start..stop (by position), None where it answered none of them."""
        outputs, right = self.outputs[start:stop], self.right[start:stop]
        return Behaviour(right.count("1"), outputs, right) if outputs else None

    @classmethod
    def of(cls, outputs, right) -> "Behaviour":
        """From each input's output digest and whether it was the expected one."""
        return cls(sum(map(bool, right)), tuple(outputs), "".join("1" if r else "0" for r in right))


@dataclass(frozen=True)
class Verdict:
    """One sample's verdict: its outcome, with what the sandbox said of it
    (`detail`), how long it ran under which limit, the program it ran (its
    content key; samples that are one program share it) and how it was
    isolated; `cached` where the verdict came from the cache; its Behaviour
    where it ran on a user's inputs; `slowest_s`, a stdio program's slowest case."""
    task_id: str
    sample_index: Optional[int]
    outcome: Outcome
    detail: str = ""
    duration_s: float = 0.0
    limit_s: Optional[float] = None
    cached: bool = False
    program_sha256: str = ""
    isolation: str = ""
    behaviour: Optional[Behaviour] = None
    slowest_s: Optional[float] = None

    @property
    def passed(self) -> bool:
        return self.outcome == Outcome.PASSED

    @property
    def ran_through(self) -> bool:
        """Whether it ran on every input and gave an answer to each (passed or failed)."""
        return self.outcome in (Outcome.PASSED, Outcome.FAILED)

    @classmethod
    def of_result(cls, task_id: str, sample_index, program_sha256: str, isolation: str, result: dict) -> "Verdict":
        """A sample's record from its program's judged result (a judge's reply, or the cache's row)."""
        behaviour = result.get("behaviour")
        return cls(task_id, sample_index, Outcome(result["verdict"]), result.get("detail") or "",
                   result.get("duration_s", 0.0), result.get("limit_s"), bool(result.get("cached")), program_sha256,
                   isolation, Behaviour.from_json(behaviour) if behaviour else None, result.get("slowest_s"))

    def to_json(self) -> dict:
        row = {"task_id": self.task_id, "sample_index": self.sample_index, "program_sha256": self.program_sha256,
               "isolation": self.isolation, "verdict": self.outcome.value, "detail": self.detail,
               "duration_s": self.duration_s, "limit_s": self.limit_s, "cached": self.cached}
        if self.slowest_s is not None:
            row["slowest_s"] = self.slowest_s
        if self.behaviour is not None:
            row["behaviour"] = self.behaviour.to_json()
        return row

    @classmethod
    def from_json(cls, row: dict, where: str) -> "Verdict":
        try:
            return cls.of_result(row["task_id"], row.get("sample_index"), row.get("program_sha256", ""),
                                 row.get("isolation", ""), row)
        except KeyError as e:
            raise PassgridError(f"{where}: a verdict needs {e.args[0]}") from None
        except (ValueError, TypeError) as e:
            raise PassgridError(f"{where}: not a verdict passgrid wrote ({e})") from None


def read_verdicts(path) -> list:
    """An executions file's Verdicts, in order."""
    return [Verdict.from_json(row, f"{path}:{lineno}") for lineno, row in read_jsonl_lines(path)]
