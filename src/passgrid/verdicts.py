"""How a sample fared against its tests: the outcomes a verdict can have,
spelled here only, and what a sample did on given inputs (its Behaviour). The execution layer writes one record per sample (a JSON
line of executions.jsonl: task_id, sample_index, verdict, detail, ...); the
analysis reads them. An Outcome is a str, so a record read back from a file
compares equal to it.
"""
import hashlib
from dataclasses import dataclass
from enum import Enum


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


def passed(record: dict) -> bool:
    return record["verdict"] == Outcome.PASSED


def digest(output: bytes) -> str:
    """An output's digest, as a behaviour records it (taken by the judge)."""
    return hashlib.sha256(output).hexdigest()[:16]


@dataclass(frozen=True)
class Behaviour:
    """What a sample did on the inputs a user has (a problem's examples, or
    its public tests), in the order given: `outputs`, a digest of each output
    (or, where there was none, "raise NAME" where a function raised, a stdio
    case's verdict where it wrote no answer), and how many were the expected one.
    Recorded by the judge in the trusted process, beside the verdict
    (record["behaviour"]), for a sample that ran through every input."""
    passed: int
    outputs: tuple

    @property
    def signature(self) -> str:
        """One digest of all its outputs: samples that agree on every input share it."""
        return digest("\0".join(self.outputs).encode())

    def to_json(self) -> dict:
        return {"passed": self.passed, "outputs": list(self.outputs)}

    @classmethod
    def from_json(cls, value: dict) -> "Behaviour":
        return cls(int(value["passed"]), tuple(str(o) for o in value["outputs"]))
