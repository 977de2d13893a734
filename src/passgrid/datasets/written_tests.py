"""Model-written tests (CodeT: Chen et al. 2022, "CodeT: Code Generation
with Generated Tests"), an input of their own beside a problem's tests.

From each raw test generation (the model's continuation of a prompt ending
in `assert `) the asserts are taken as CodeT's released code takes them
(CodeT/src/postprocess.py, test_case_extract): split at `assert `, keep the
parts that name the entry point, cut each at CodeT's stop sequences, keep
those that compile, and the first PER_GENERATION of each generation; a test
written twice counts twice (its multiplicity). passgrid then keeps the
asserts it can run as data (passgrid.literal.literal_assert: a literal call
and the literal it must equal), so the comparison is made in the trusted
process; the others are counted and left out (`not_literal`).

Read from a file in one of three forms, one JSON object per line:
CodeT's release, {"prompt" or "task_id", "samples": [raw generations]} (a
prompt is joined to its problem by the function it names); one assert per
line, {"task_id", "test": "assert ..."}; or a passgrid tests draw's samples
(written.n), {"task_id", "sample_index", "completion": one generation}.
"""
import re
from collections import Counter
from dataclasses import dataclass

from passgrid import PassgridError
from passgrid.files import read_jsonl_lines
from passgrid.literal import literal_assert

STOP_SEQUENCES = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")  # CodeT's postprocess.STOP_TOKEN
PER_GENERATION = 5  # CodeT's --test_case_limit


@dataclass(frozen=True)
class WrittenTests:
    """One problem's model-written tests: the distinct ones passgrid runs
    (`tests`: (args, kwargs, expected)) and how often each was written
    (`weights`), and of all the asserts taken (`asserts`), how many were
    not literal (`not_literal`, left out)."""
    task_id: str
    tests: tuple
    weights: tuple
    asserts: int
    not_literal: int


def extract_asserts(generation: str, entry_point: str, limit: int = PER_GENERATION) -> list:
    """CodeT's test_case_extract, then its first `limit`."""
    parts = [f"assert {part}".strip() for part in f"assert {generation}".split("assert ")
             if entry_point.strip() in part and part.strip()]
    return [t for t in map(_cut, parts) if _compiles(t)][:limit]


def _cut(test: str) -> str:
    for stop in STOP_SEQUENCES:
        test = test.split(stop)[0]
    return test.strip()


def _compiles(test: str) -> bool:
    """CodeT's _check_test_case_validation: it compiles inside a try block."""
    if "assert" not in test:
        return False
    body = test.replace("\n", "\n    ")
    try:
        compile(f"try:\n    {body}\nexcept:\n    pass\n", "", "exec")
        return True
    except (SyntaxError, ValueError):
        return False


def written_tests(task_id: str, entry_point: str, asserts: list) -> WrittenTests:
    """The distinct literal tests among `asserts` (each written once per
    entry, repeats counted), in the order first written."""
    weights, literal = Counter(), {}
    for source in asserts:
        test = literal_assert(source, entry_point)
        if test is not None:
            key = repr(test)
            literal.setdefault(key, test)
            weights[key] += 1
    return WrittenTests(task_id, tuple(literal.values()), tuple(weights[k] for k in literal),
                        len(asserts), len(asserts) - sum(weights.values()))


def read_written_tests(path, problems: dict, limit: int = PER_GENERATION, generations: int = None) -> dict:
    """task_id -> WrittenTests for the problems the file has tests for; a
    line that names no known problem, or has none of the forms, is an error
    naming its line. `generations`: of a passgrid tests draw (one generation
    per sample), each problem's first this many (all for None)."""
    by_entry = _by_entry_point(problems)
    asserts = {}
    for lineno, row in read_jsonl_lines(path):
        where = f"{path}:{lineno}"
        task_id = _task_of(row, problems, by_entry, where)
        entry = problems[task_id].entry_point
        if isinstance(row.get("samples"), list):
            found = [t for g in row["samples"] for t in extract_asserts(str(g), entry, limit)]
        elif isinstance(row.get("test"), str):
            found = [row["test"].strip()]
        elif isinstance(row.get("completion"), str):  # a sample of a tests draw: one generation
            if generations is not None and row.get("sample_index", 0) >= generations:
                continue
            found = extract_asserts(row["completion"], entry, limit)
        else:
            raise PassgridError(f"{where}: expected \"samples\" (raw test generations), \"test\" (one assert) or "
                                "\"completion\" (one generation, a passgrid tests draw's sample)")
        asserts.setdefault(task_id, []).extend(found)
    return {t: written_tests(t, problems[t].entry_point, found) for t, found in asserts.items()}


def _by_entry_point(problems: dict) -> dict:
    names = Counter(p.entry_point for p in problems.values())
    return {p.entry_point: t for t, p in problems.items() if names[p.entry_point] == 1}


def _task_of(row: dict, problems: dict, by_entry: dict, where: str) -> str:
    if "task_id" in row:
        if row["task_id"] not in problems:
            raise PassgridError(f"{where}: task_id {row['task_id']!r} is not one of the problems")
        return row["task_id"]
    if not isinstance(row.get("prompt"), str):
        raise PassgridError(f"{where}: expected a \"task_id\" or a \"prompt\" naming the function")
    named = re.findall(r"check the correctness of (\w+)", row["prompt"]) or re.findall(r"def (\w+)\s*\(", row["prompt"])
    if not named or named[-1] not in by_entry:
        raise PassgridError(f"{where}: its prompt names no problem's function uniquely "
                            f"({named[-1] if named else 'no function'})")
    return by_entry[named[-1]]
