"""A local JSONL file in the HumanEval schema."""
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import SAMPLES, setting
from passgrid.datasets.source import Source
from passgrid.files import read_jsonl


@dataclass
class JsonlSettings:
    path: Optional[str] = setting(None, SAMPLES)  # a local file in the HumanEval schema


class JsonlSource(Source):
    name = "jsonl"
    Settings = JsonlSettings

    @classmethod
    def check(cls, dataset: dict) -> list:
        path = dataset.get("path")
        if not path:
            return ["dataset.path: a jsonl dataset needs a path"]
        return [] if Path(path).is_file() else [f"dataset.path={path!r}: no such file"]

    @classmethod
    def rows(cls, dataset: dict):
        if not dataset.get("path"):
            raise PassgridError("dataset.path: a jsonl dataset needs a path")
        where = Path(dataset["path"])
        if not where.is_file():
            raise PassgridError(f"dataset.path: no such file: {where}")
        return where, read_jsonl(where)
