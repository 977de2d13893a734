"""How a sample fared against its tests: the outcomes a verdict can have,
spelled here only. The execution layer writes one record per sample (a JSON
line of executions.jsonl: task_id, sample_index, verdict, detail, ...); the
analysis reads them. An Outcome is a str, so a record read back from a file
compares equal to it.
"""
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
