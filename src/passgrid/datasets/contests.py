"""Contest problems judged on standard input and output, from their three
usual schemas, normalized into passgrid's problem of kind "stdio":

- task_id: the benchmark's own id, as other harnesses spell it (a
  CodeContests problem's `name`, an APPS `problem_id` as text, a
  LiveCodeBench `question_id`);
- prompt: the statement; entry_point: "" (a whole program has none);
- stdio: the cases (passgrid.problem.StdioTests): public tests are those
  the statement shows (CodeContests' public_tests, LiveCodeBench's
  public_test_cases; APPS marks none), judged with the hidden ones and alone
  available to selection (passgrid.execution.stdio);
- canonical_solution: a Python 3 reference where the row has one;
- time_limit_s: the problem's limit per test case, where the row gives it
  (CodeContests); contest_date (LiveCodeBench), for a date window.

Rows these benchmarks judge by calling a function (APPS with `fn_name`,
LiveCodeBench's LeetCode problems) or that read a named file (a few
CodeContests problems) are left out, and counted: `normalize_contest`
returns (None, why) for them, and the loader says how many.
"""
import base64
import io
import json
import pickle
import zlib

from passgrid import PassgridError
from passgrid.kinds import DEFAULT_CHECKER, STDIO
from passgrid.problem import Problem, StdioTests

PYTHON3 = 3  # CodeContests' Language enum (contest_problem.proto): PYTHON3 = 3


def contest_schema(row: dict):
    """Which contest schema a row is in, or None."""
    if "public_tests" in row and "private_tests" in row and "name" in row:
        return "code_contests"
    if "input_output" in row and "problem_id" in row:
        return "apps"
    if "question_id" in row and "public_test_cases" in row:
        return "livecodebench"
    if row.get("kind") == STDIO:
        return "normalized"
    return None


def normalize_contest(row: dict, where: str):
    """(problem, None), or (None, why it is left out)."""
    schema = contest_schema(row)
    if schema is None:
        raise PassgridError(f"{where}: not a stdio problem in any known schema (CodeContests, APPS, "
                            "LiveCodeBench, or passgrid's own with kind 'stdio')")
    return _NORMALIZERS[schema](row, where)


def _problem(task_id, statement, public, hidden, where, reference="", checker=DEFAULT_CHECKER, **extra) -> tuple:
    if not isinstance(statement, str) or not statement.strip():
        raise PassgridError(f"{where}: the problem has no statement")
    if not public and not hidden:
        return None, "no tests"
    return Problem(str(task_id), statement, "", kind=STDIO, canonical_solution=reference or "",
                   stdio=StdioTests.of_cases(public, hidden, where, checker), **extra), None


def _normalized(row: dict, where: str):
    tests = StdioTests.from_text(row.get("test") or "", where)
    extra = {k: row[k] for k in ("time_limit_s", "contest_date") if row.get(k) is not None}
    return _problem(row.get("task_id"), row.get("prompt"), tests.public, tests.hidden, where,
                    row.get("canonical_solution"), tests.checker, **extra)


def _cases(tests, where: str, field: str) -> list:
    if tests is None:
        return []
    if not isinstance(tests, dict) or not isinstance(tests.get("input"), list) or \
            not isinstance(tests.get("output"), list) or len(tests["input"]) != len(tests["output"]):
        raise PassgridError(f"{where}: {field} must be {{input: [...], output: [...]}} of equal lengths")
    return list(zip(tests["input"], tests["output"]))


def _code_contests(row: dict, where: str):
    if row.get("input_file") or row.get("output_file"):
        return None, "reads or writes a named file"
    solutions = row.get("solutions") or {}
    python3 = [s for lang, s in zip(solutions.get("language") or [], solutions.get("solution") or [])
               if lang == PYTHON3]
    limit = row.get("time_limit") or {}
    seconds = (limit.get("seconds") or 0) + (limit.get("nanos") or 0) / 1e9 if isinstance(limit, dict) else 0
    hidden = _cases(row.get("private_tests"), where, "private_tests") + \
        _cases(row.get("generated_tests"), where, "generated_tests")
    return _problem(row["name"], row.get("description"), _cases(row.get("public_tests"), where, "public_tests"),
                    hidden, where, python3[0] if python3 else "", **({"time_limit_s": seconds} if seconds else {}))


def _apps(row: dict, where: str):
    if not row.get("input_output"):
        return None, "no tests"
    tests = _json(row["input_output"], where, "input_output")
    if tests.get("fn_name"):
        return None, "judged by calling a function"
    inputs, outputs = tests.get("inputs"), tests.get("outputs")
    if not isinstance(inputs, list) or not isinstance(outputs, list) or len(inputs) != len(outputs):
        raise PassgridError(f"{where}: input_output must hold inputs and outputs lists of equal lengths")
    solutions = _json(row["solutions"], where, "solutions") if row.get("solutions") else []
    return _problem(row["problem_id"], row.get("question"), [], [(_text(i), _text(o)) for i, o in zip(inputs, outputs)],
                    where, solutions[0] if solutions else "")


def _livecodebench(row: dict, where: str):
    public = _json(row.get("public_test_cases") or "[]", where, "public_test_cases")
    private = _lcb_private(row.get("private_test_cases") or "[]", where)
    if any(case.get("testtype") != "stdin" for case in public + private):
        return None, "judged by calling a function"
    extra = {"contest_date": row["contest_date"]} if row.get("contest_date") else {}
    return _problem(row["question_id"], row.get("question_content"), [(c["input"], c["output"]) for c in public],
                    [(c["input"], c["output"]) for c in private], where, checker="lines", **extra)


def _lcb_private(text: str, where: str) -> list:
    """LiveCodeBench's private tests: JSON, or (most rows) base64 of zlib of a
    pickled JSON string, as lcb_runner decodes them. The pickle may hold a
    string and nothing else: it is loaded with no classes allowed."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        inner = _StringsOnly(io.BytesIO(zlib.decompress(base64.b64decode(text)))).load()
    except Exception as e:  # base64, zlib and pickle errors alike
        raise PassgridError(f"{where}: private_test_cases is neither JSON nor LiveCodeBench's encoding ({e})") from None
    if not isinstance(inner, str):
        raise PassgridError(f"{where}: private_test_cases decodes to {type(inner).__name__}, not JSON text")
    return _json(inner, where, "private_test_cases")


class _StringsOnly(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refused {module}.{name}: only plain data is read")


def _json(text, where: str, field: str):
    try:
        return json.loads(text)
    except (json.JSONDecodeError, TypeError):
        raise PassgridError(f"{where}: {field} is not JSON") from None


def _text(value) -> str:
    """APPS gives some inputs and outputs as lists of lines."""
    return "\n".join(map(str, value)) + "\n" if isinstance(value, list) else str(value)


_NORMALIZERS = {"code_contests": _code_contests, "apps": _apps, "livecodebench": _livecodebench,
                "normalized": _normalized}
