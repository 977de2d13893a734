"""The kinds of problem (a Problem's `kind`: passgrid.problem), as every
layer needs to tell them apart.

- "function" (absent: HumanEval's): the completion is appended to the prompt,
  and `check(candidate)` calls the function;
- "program" (MBPP): the completion is the whole program; `check(candidate)`
  calls its function;
- "stdio" (CodeContests, APPS, LiveCodeBench): the completion is the whole
  program, run on each test's input; its output is compared.
"""
FUNCTION, PROGRAM, STDIO = "function", "program", "stdio"
KINDS = (FUNCTION, PROGRAM, STDIO)
WHOLE_PROGRAM = (PROGRAM, STDIO)


# What of a function's return value is judged, where not the value itself
# (a problem's optional "answer" field): whether it is not None (MBPP+'s
# None-or-not tasks, whose answers, regex matches, are not plain data).
# Taken in the sandbox, for the reference and the candidates alike.
ANSWER_IS_NOT_NONE = "is_not_none"


# How a stdio program's output is compared (passgrid.execution.stdio.outputs_match):
# "tokens" (CodeContests, APPS) or "lines" (LiveCodeBench's checker).
CHECKERS = ("tokens", "lines")
DEFAULT_CHECKER = CHECKERS[0]  # where a stdio problem's tests name none

