"""Why samples fail, and how varied they are.

Each sample is one of: passed, or the first that holds of
  no_code      nothing that reads as code came back (no fenced block, no
               `def`, no `return`, or an empty completion);
  cut_off      the reply stopped at max_tokens (finish_reason "length");
  syntax_error the program does not compile;
  timeout, memory  over the sandbox's limits;
  runtime_error    it raised before its result could be checked;
  wrong_answer     it ran and a test failed.
A cut-off reply that also fails to compile counts as cut_off: the limit is
the cause a user can change.

Per k, the chance that a problem stays unsolved by k samples
(C(n - c, k) / C(n, k)) is attributed to that problem's most frequent way
of failing, so that over the kinds the shares sum to 1 - pass@k: what is
left to gain at k, and what stands in the way. Distinct programs at k: the
expected number of different programs among k of a problem's samples
(drawn without replacement), averaged over problems; a collapse of
diversity (a temperature too low, a broken seed) shows as a flat curve.
"""
import numpy as np
import pandas as pd

from passgrid.analysis.passk import pass_at_k_curve
from passgrid.verdicts import DID_NOT_FINISH, Outcome

PASSED = Outcome.PASSED.value  # the kind of a sample that passed
KINDS = ("no_code", "cut_off", "syntax_error", "timeout", "memory", "runtime_error", "wrong_answer")


def reads_as_code(completion: str, raw: str = None) -> bool:
    """Whether anything that reads as code came back (see no_code above)."""
    text = raw if raw is not None else completion
    return bool(completion.strip()) and any(mark in text for mark in ("```", "def ", "return"))


def failure_kind(verdict: str, detail: str, has_code: bool, finish_reason: str) -> str:
    """The kind of one sample's outcome: "passed" or one of KINDS."""
    if verdict == Outcome.PASSED:
        return PASSED
    if not has_code:
        return "no_code"
    if finish_reason == "length":
        return "cut_off"
    if verdict == Outcome.ERROR and (detail or "").startswith(("program: SyntaxError", "program: IndentationError",
                                                         "program: TabError")):
        return "syntax_error"
    if verdict in DID_NOT_FINISH:  # its kind is named as the verdict is
        return str(verdict)
    return "runtime_error" if verdict == Outcome.ERROR else "wrong_answer"


def unsolved_by_kind(outcomes: pd.DataFrame, n: int) -> pd.DataFrame:
    """k = 1..n: the share of problems unsolved at k, by their main failure.
    `outcomes`: one row per sample with task_id and kind."""
    shares = {kind: np.zeros(n) for kind in KINDS}
    problems = 0
    for _, group in outcomes.groupby("task_id", sort=False):
        kinds = group["kind"].iloc[:n]
        problems += 1
        failing = kinds[kinds != PASSED]
        if failing.empty:
            continue
        main = failing.value_counts().index[0]
        shares[main] += 1.0 - pass_at_k_curve(n, int((kinds == PASSED).sum()))
    return pd.DataFrame({"k": np.arange(1, n + 1), **{f"unsolved_{kind}": v / problems for kind, v in shares.items()}})


def distinct_programs(outcomes: pd.DataFrame, n: int) -> np.ndarray:
    """k = 1..n: the expected number of distinct programs among k samples,
    averaged over problems. `outcomes`: task_id and program (its hash)."""
    total = np.zeros(n)
    problems = 0
    for _, group in outcomes.groupby("task_id", sort=False):
        problems += 1
        for copies in group["program"].iloc[:n].value_counts():
            # the chance that one of its `copies` is among k samples: 1 - C(n - copies, k) / C(n, k)
            total += pass_at_k_curve(n, int(copies))
    return total / problems


def failure_counts(outcomes: pd.DataFrame) -> dict:
    """How many samples of each kind (passed included)."""
    counts = outcomes["kind"].value_counts()
    return {kind: int(counts.get(kind, 0)) for kind in (PASSED, *KINDS)}
