"""Load a benchmark into one normalized problems file.

Each row becomes a passgrid.problem.Problem: rows in HumanEval's schema
(task_id, prompt, entry_point, test defining `check(candidate)`, optionally
canonical_solution, and `kind` where it is not "function") as they are,
MBPP's (passgrid.datasets.mbpp) and EvalPlus's (passgrid.datasets.evalplus)
normalized so, contest problems into kind "stdio" (passgrid.datasets.contests).
Where the rows come from is a source plugin (passgrid.datasets).
"""
import hashlib
import json
import sys
from collections import Counter

from passgrid import PassgridError
from passgrid.datasets import source_class
from passgrid.datasets.contests import contest_schema, normalize_contest
from passgrid.datasets.evalplus import is_evalplus, normalize_evalplus
from passgrid.datasets.mbpp import is_mbpp, normalize_mbpp
from passgrid.files import read_jsonl, write_atomic
from passgrid.kinds import FUNCTION, PROGRAM
from passgrid.problem import Problem

REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "test")  # of a row in HumanEval's schema
# what a row may be read as; by default, detected from its fields ("stdio":
# any of the contest schemas, or passgrid's own stdio form)
SCHEMAS = ("humaneval", "mbpp", "evalplus", "stdio")


def load_problems(source: str, limit=None, schema: str = None, date_from: str = None, date_to: str = None,
                  **settings) -> list:
    """Load, check and normalize the problems of a dataset source (the
    source's own settings as keywords, e.g. path= for jsonl); keep the first
    `limit` if given. `schema` (one of SCHEMAS) reads every row as that
    schema instead of detecting it. `date_from`/`date_to` (ISO dates, either
    bound inclusive) keep the problems of contests in that window
    (LiveCodeBench's contest_date); a problem without a date is then an error.
    Rows a benchmark judges in a way passgrid does not (passgrid.datasets.contests)
    are left out, and counted on stderr."""
    where, rows = source_class(source).rows({"source": source, **settings})
    problems, seen, left_out = [], set(), Counter()
    for i, row in enumerate(rows, 1):
        if limit is not None and len(problems) >= limit:
            break
        problem, why = _normalize(row, f"{where}: record {i}", schema)
        if problem is None:
            left_out[why] += 1
            continue
        if (date_from or date_to) and not _in_window(problem, date_from, date_to, f"{where}: record {i}"):
            continue
        if problem.task_id in seen:
            raise PassgridError(f"{where}: record {i}: duplicate task_id {problem.task_id!r}")
        seen.add(problem.task_id)
        problems.append(problem)
    if left_out:
        print(f"passgrid: {where}: left out {sum(left_out.values())} problem(s) passgrid cannot judge as their "
              f"benchmark does: " + ", ".join(f"{n} {why}" for why, n in left_out.items()), file=sys.stderr)
    if not problems:
        raise PassgridError(f"{where}: no problems" + (" in the date window" if date_from or date_to else ""))
    return problems


def _in_window(problem: Problem, date_from, date_to, where: str) -> bool:
    date = str(problem.contest_date or "")[:10]
    if not date:
        raise PassgridError(f"{where}: dataset.date_from/date_to is set, but the problem has no contest_date")
    return (not date_from or date >= str(date_from)[:10]) and (not date_to or date <= str(date_to)[:10])


def load_dataset(dataset: dict) -> list:
    """All the problems of a dataset config section (its limit aside: a
    dataset's problems file holds them all, and each draw takes its first)."""
    settings = {k: v for k, v in dataset.items() if k not in ("source", "limit")}
    return load_problems(dataset["source"], **settings)


def _normalize(row: dict, where: str, schema: str = None) -> tuple:
    """(problem, None), or (None, why the row is left out)."""
    if schema == "mbpp" or (schema is None and is_mbpp(row)):
        return normalize_mbpp(row, where), None
    if schema == "evalplus" or (schema is None and is_evalplus(row)):
        return normalize_evalplus(row, where), None
    if schema == "stdio" or (schema is None and contest_schema(row)):
        return normalize_contest(row, where)
    missing = [k for k in REQUIRED_FIELDS if not isinstance(row.get(k), str) or not row.get(k)]
    if missing:
        raise PassgridError(f"{where}: missing or empty field(s) {', '.join(missing)}")
    if row.get("kind", FUNCTION) not in (FUNCTION, PROGRAM):
        raise PassgridError(f"{where}: kind must be {FUNCTION} or {PROGRAM} here (stdio problems have their own "
                            f"schema), got {row['kind']!r}")
    return Problem.from_json(row, where), None


def write_problems(problems: list, out_path, meta_path, source_description: str) -> dict:
    """Write the normalized problems file and its metadata (with content hash)."""
    text = "".join(json.dumps(p.to_json(), ensure_ascii=False) + "\n" for p in problems)
    meta = {
        "source": source_description,
        "n_problems": len(problems),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "task_ids": [p.task_id for p in problems],
    }
    write_atomic(out_path, text)
    write_atomic(meta_path, json.dumps(meta, indent=2) + "\n")
    return meta


def read_problems(path) -> dict:
    """Read a normalized problems file into {task_id: problem}."""
    problems = {}
    for row in read_jsonl(path):
        where = f"{path}: {row.get('task_id', '?')}"
        problem, why = _normalize(row, where)
        if problem is None:
            raise PassgridError(f"{where}: not a problem passgrid can judge ({why})")
        problems[problem.task_id] = problem
    return problems
