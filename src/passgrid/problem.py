"""A problem as every phase sees it, whatever benchmark it came from
(passgrid.datasets normalizes each into this): a line of a dataset's
normalized problems file, read and written here only. Its tests are typed by
its kind (passgrid.kinds): `check(candidate)`'s source for a function or a
program, the cases of a stdio problem."""
import json
from dataclasses import dataclass, field
from typing import Optional

from passgrid import PassgridError
from passgrid.kinds import ANSWER_IS_NOT_NONE, CHECKERS, DEFAULT_CHECKER, FUNCTION, KINDS, STDIO, WHOLE_PROGRAM


@dataclass(frozen=True)
class StdioTests:
    """A stdio problem's cases, (input, output) texts: `public` those its
    statement shows, `hidden` the rest; how outputs are compared (`checker`,
    one of CHECKERS); `probe`: true for selection's probe, which runs the
    public cases only (passgrid.analysis.selection)."""
    public: tuple
    hidden: tuple = ()
    checker: str = DEFAULT_CHECKER
    probe: bool = False

    @property
    def text(self) -> str:
        """The cases as the normalized file holds them (and the verdict cache keys them)."""
        return json.dumps({"public": [list(c) for c in self.public], "hidden": [list(c) for c in self.hidden],
                           **({"checker": self.checker} if self.checker != DEFAULT_CHECKER else {}),
                           **({"probe": True} if self.probe else {})})

    @classmethod
    def from_text(cls, text: str, where: str) -> "StdioTests":
        try:
            value = json.loads(text or "")
        except json.JSONDecodeError:
            raise PassgridError(f"{where}: test must be JSON {{public: [...], hidden: [...]}}") from None
        if not isinstance(value, dict):
            raise PassgridError(f"{where}: test must be JSON {{public: [...], hidden: [...]}}")
        checker = value.get("checker", DEFAULT_CHECKER)
        if checker not in CHECKERS:
            raise PassgridError(f"{where}: test.checker must be one of {', '.join(CHECKERS)}, got {checker!r}")
        return cls.of_cases(value.get("public") or [], value.get("hidden") or [], where, checker,
                            bool(value.get("probe")))

    @classmethod
    def of_cases(cls, public, hidden, where: str, checker: str = DEFAULT_CHECKER, probe: bool = False) -> "StdioTests":
        for case in [*public, *hidden]:
            if not (isinstance(case, (list, tuple)) and len(case) == 2 and all(isinstance(x, str) for x in case)):
                raise PassgridError(f"{where}: a test must be an input text and an output text, got {str(case)[:80]}")
        return cls(tuple(map(tuple, public)), tuple(map(tuple, hidden)), checker, probe)


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str  # what the model is shown
    entry_point: str  # the function judged ("" for stdio)
    test: str = ""  # check(candidate)'s source: a function's or a program's tests
    kind: str = FUNCTION  # passgrid.kinds
    canonical_solution: str = ""  # a reference, where the benchmark has one
    stdio: Optional[StdioTests] = None  # a stdio problem's tests
    plus_test: Optional[str] = None  # EvalPlus's base + plus tests, where given
    answer: Optional[str] = None  # what of the return value is judged, where not itself (passgrid.kinds)
    # The inputs a strategy ranks samples by, in parts (the examples a user
    # has, then the model's written tests), as Python literals ([[(args,
    # kwargs, expected), ...], ...], repr'd), which the judge runs the program
    # on instead of its tests, each part within the time limit, recording its
    # behaviour (passgrid.verdicts.Behaviour): selection's probe.
    # A stdio problem's probe is its public tests (StdioTests.probe).
    probe: Optional[str] = None
    time_limit_s: Optional[float] = None  # a contest problem's own limit per test case
    contest_date: Optional[str] = None  # for a window of dates (LiveCodeBench)
    # EvalPlus's inputs, whose expected outputs are not computed yet
    # (passgrid.datasets.evalplus); never written: computed before the file is
    evalplus_inputs: Optional[dict] = field(default=None, compare=False)

    @property
    def whole_program(self) -> bool:
        """Whether a completion is the whole program, not text appended to the prompt."""
        return self.kind in WHOLE_PROGRAM

    @property
    def tests_text(self) -> str:
        """Its tests as text, whatever its kind: what a verdict is keyed under."""
        return self.stdio.text if self.stdio is not None else self.test

    def to_json(self) -> dict:
        row = {"task_id": self.task_id, "prompt": self.prompt, "entry_point": self.entry_point,
               "test": self.tests_text, "canonical_solution": self.canonical_solution}
        optional = {"kind": None if self.kind == FUNCTION else self.kind, "plus_test": self.plus_test,
                    "answer": self.answer, "probe": self.probe, "time_limit_s": self.time_limit_s,
                    "contest_date": self.contest_date}
        return {**row, **{k: v for k, v in optional.items() if v is not None}}

    @classmethod
    def from_json(cls, row: dict, where: str) -> "Problem":
        """A problem from its normalized line (or a row in HumanEval's schema);
        an error naming `where` and the field if it is not one. (What a
        benchmark's row must hold besides, passgrid.datasets checks.)"""
        kind = row.get("kind") or FUNCTION
        if kind not in KINDS:
            raise PassgridError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        wrong = [k for k in ("task_id", "prompt", "entry_point", "test") if not isinstance(row.get(k, ""), str)]
        if wrong or not row.get("task_id"):
            raise PassgridError(f"{where}: {', '.join(wrong or ['task_id'])} must be a string" + ("" if wrong else
                                                                                                   " (not empty)"))
        if row.get("answer") not in (None, ANSWER_IS_NOT_NONE):
            raise PassgridError(f"{where}: answer must be {ANSWER_IS_NOT_NONE!r} where given, got {row['answer']!r}")
        stdio = StdioTests.from_text(row.get("test", ""), where) if kind == STDIO else None
        return cls(row["task_id"], row.get("prompt", ""), row.get("entry_point", ""), "" if stdio else row.get("test", ""), kind,
                   row.get("canonical_solution") or "", stdio, row.get("plus_test") or None, row.get("answer"),
                   row.get("probe"), row.get("time_limit_s"), row.get("contest_date"))
