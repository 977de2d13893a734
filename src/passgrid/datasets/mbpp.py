"""MBPP's schema (Austin et al. 2021; the full and the sanitized splits, and
local copies of either) normalized into passgrid's problem form.

A row: `task_id` (an integer), the task (`text`, or the sanitized split's
`prompt`), the reference `code`, `test_list` (assert statements calling the
function), `test_setup_code`, `challenge_test_list`, and in the sanitized
split `test_imports`. The normalized problem:

- task_id `Mbpp/<id>`, EvalPlus's spelling, so their samples files evaluate unchanged;
- prompt, what the model is shown: the task and its first test in a
  docstring, as the MBPP paper and EvalPlus prompt it;
- entry_point: the function of the reference that the first test calls;
- test: `check(candidate)` running the asserts with the entry point's name
  bound to the candidate, after the setup code and imports. So the asserts
  run in the trusted judge, as HumanEval's do, against the program's
  answers as plain data. `challenge_test_list` is left out, as EvalPlus and
  the paper's pass rates leave it out;
- plus_test, for an MBPP+ row from the hub (`evalplus/mbppplus`, whose
  `test` is code that calls the function by name on the plus inputs): that
  code run with the name bound to the candidate;
- kind "program": the completion is the whole program (EvalPlus's MBPP
  `solution`), not text appended to the prompt.
"""
import ast
import re

from passgrid import PassgridError
from passgrid.kinds import PROGRAM
from passgrid.problem import Problem


def is_mbpp(row: dict) -> bool:
    return "test_list" in row and "code" in row


def normalize_mbpp(row: dict, where: str) -> Problem:
    tests, code = row.get("test_list"), row.get("code")
    text = row.get("text") or row.get("prompt")
    if not isinstance(tests, list) or not tests or not all(isinstance(t, str) for t in tests):
        raise PassgridError(f"{where}: test_list must be a non-empty list of assert statements")
    if not isinstance(code, str) or not isinstance(text, str) or not text.strip():
        raise PassgridError(f"{where}: an MBPP row needs its task (text or prompt) and reference code")
    task_id = row.get("task_id")
    if isinstance(task_id, bool) or not isinstance(task_id, (int, str)):
        raise PassgridError(f"{where}: task_id must be MBPP's integer id, got {task_id!r}")
    entry_point = _entry_point(code, tests[0], where)
    setup = "\n".join(list(row.get("test_imports") or []) + [row.get("test_setup_code") or ""]).strip()
    body = "\n".join(f"    {t.strip()}" for t in tests)
    plus = None
    if isinstance(row.get("test"), str) and row["test"].strip():
        plus = (f"{setup}\n\n\ndef check(candidate):\n"
                f"    exec({row['test']!r}, {{'__name__': '__passgrid_tests__', {entry_point!r}: candidate}})\n")
    return Problem(task_id if str(task_id).startswith("Mbpp/") else f"Mbpp/{task_id}",
                   prompt=f'"""\n{text.strip()}\n{tests[0].strip()}\n"""\n', entry_point=entry_point,
                   test=f"{setup}\n\n\ndef check(candidate):\n    {entry_point} = candidate\n{body}\n",
                   kind=PROGRAM, canonical_solution=code, plus_test=plus)


def _entry_point(code: str, first_test: str, where: str) -> str:
    """The reference's function that the first test calls."""
    try:
        defined = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
    except SyntaxError as e:
        raise PassgridError(f"{where}: the reference code does not parse ({e.msg})") from None
    called = [name for name in defined if re.search(rf"\b{re.escape(name)}\s*\(", first_test)]
    if not called:
        raise PassgridError(f"{where}: the first test calls none of the reference's functions "
                            f"({', '.join(defined) or 'none defined'})")
    return called[0]
