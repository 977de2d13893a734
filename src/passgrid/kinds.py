"""The kinds of problem (the normalized form: passgrid.datasets.problems),
as every layer needs to tell them apart.

- "function" (absent: HumanEval's): the completion is appended to the prompt,
  and `check(candidate)` calls the function;
- "program" (MBPP): the completion is the whole program; `check(candidate)`
  calls its function;
- "stdio" (CodeContests, APPS, LiveCodeBench): the completion is the whole
  program, run on each test's input; its output is compared.
"""
FUNCTION, PROGRAM, STDIO = "function", "program", "stdio"
WHOLE_PROGRAM = (PROGRAM, STDIO)


# What of a function's return value is judged, where not the value itself
# (a problem's optional "answer" field): whether it is not None (MBPP+'s
# None-or-not tasks, whose answers, regex matches, are not plain data).
# Taken in the sandbox, for the reference and the candidates alike.
ANSWER_IS_NOT_NONE = "is_not_none"

# A problem field: the examples a user has, as Python literals
# ([(args, kwargs, expected), ...], repr'd), which the judge runs the
# program on instead of its tests, recording its behaviour
# (passgrid.verdicts.Behaviour). A stdio problem's probe is its public tests.
PROBE = "probe"


def kind_of(problem: dict) -> str:
    return problem.get("kind", FUNCTION)


def is_whole_program(problem: dict) -> bool:
    """Whether a completion is the whole program, not text appended to the prompt."""
    return kind_of(problem) in WHOLE_PROGRAM


# How a stdio program's output is compared (passgrid.execution.stdio.outputs_match):
# "tokens" (CodeContests, APPS) or "lines" (LiveCodeBench's checker).
CHECKERS = ("tokens", "lines")
DEFAULT_CHECKER = CHECKERS[0]  # where a stdio problem's tests name none


def stdio_tests(problem: dict) -> dict:
    """A stdio problem's tests: {"public": [[input, output], ...], "hidden":
    [...]}, and "checker" (checker_of) and "probe":
    true for selection's probe (passgrid.analysis.selection), as its `test`
    holds them in JSON. Public tests are those the statement shows."""
    import json

    return json.loads(problem["test"])


def checker_of(tests: dict) -> str:
    """The checker a stdio problem's tests (stdio_tests) name: one of CHECKERS."""
    return tests.get("checker", DEFAULT_CHECKER)


def stdio_test_text(public: list, hidden: list, probe: bool = False, checker: str = DEFAULT_CHECKER) -> str:
    import json

    return json.dumps({"public": [list(c) for c in public], "hidden": [list(c) for c in hidden],
                       **({"checker": checker} if checker != DEFAULT_CHECKER else {}),
                       **({"probe": True} if probe else {})})
