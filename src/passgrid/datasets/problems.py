"""Load a benchmark into one normalized problems file.

A problem is a dict with the HumanEval schema: task_id, prompt, entry_point,
test (defining `check(candidate)`), and optionally canonical_solution; and
`kind` where the completion is a whole program ("program") rather than text
appended to the prompt (absent: "function", HumanEval's). Rows in MBPP's
schema are normalized so (passgrid.datasets.mbpp). Where the rows come from
is a source plugin (passgrid.datasets).
"""
import hashlib
import json

from passgrid import PassgridError
from passgrid.datasets import source_class
from passgrid.datasets.mbpp import is_mbpp, normalize_mbpp
from passgrid.files import read_jsonl, write_atomic

REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "test")
SCHEMAS = ("humaneval", "mbpp")  # what a row may be read as; by default, detected from its fields
OPTIONAL_FIELDS = ("canonical_solution",)


def load_problems(source: str, limit=None, schema: str = None, **settings) -> list:
    """Load, check and normalize the problems of a dataset source (the
    source's own settings as keywords, e.g. path= for jsonl); keep the first
    `limit` if given. `schema` (one of SCHEMAS) reads every row as that
    schema instead of detecting it."""
    where, rows = source_class(source).rows({"source": source, **settings})
    problems, seen = [], set()
    for i, row in enumerate(rows, 1):
        if limit is not None and len(problems) >= limit:
            break
        problem = _normalize(row, f"{where}: record {i}", schema)
        if problem["task_id"] in seen:
            raise PassgridError(f"{where}: record {i}: duplicate task_id {problem['task_id']!r}")
        seen.add(problem["task_id"])
        problems.append(problem)
    if not problems:
        raise PassgridError(f"{where}: no problems")
    return problems


def load_dataset(dataset: dict) -> list:
    """All the problems of a dataset config section (its limit aside: a
    dataset's problems file holds them all, and each draw takes its first)."""
    settings = {k: v for k, v in dataset.items() if k not in ("source", "limit")}
    return load_problems(dataset["source"], **settings)


def _normalize(row: dict, where: str, schema: str = None) -> dict:
    if schema == "mbpp" or (schema is None and is_mbpp(row)):
        return normalize_mbpp(row, where)
    missing = [k for k in REQUIRED_FIELDS if not isinstance(row.get(k), str) or not row.get(k)]
    if missing:
        raise PassgridError(f"{where}: missing or empty field(s) {', '.join(missing)}")
    problem = {k: row[k] for k in REQUIRED_FIELDS}
    problem["canonical_solution"] = row.get("canonical_solution") or ""
    if row.get("kind", "function") != "function":
        problem["kind"] = row["kind"]
    return problem


def write_problems(problems: list, out_path, meta_path, source_description: str) -> dict:
    """Write the normalized problems file and its metadata (with content hash)."""
    text = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in problems)
    meta = {
        "source": source_description,
        "n_problems": len(problems),
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "task_ids": [p["task_id"] for p in problems],
    }
    write_atomic(out_path, text)
    write_atomic(meta_path, json.dumps(meta, indent=2) + "\n")
    return meta


def read_problems(path) -> dict:
    """Read a normalized problems file into {task_id: problem}."""
    return {p["task_id"]: _normalize(p, f"{path}: {p.get('task_id', '?')}") for p in read_jsonl(path)}
