"""A local copy of a hub dataset, in the hub's own schema: a Parquet file, or
a folder written by `datasets`' `save_to_disk` (of a DatasetDict: the split
named by `dataset.copy_split`). Read without the network."""
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import SAMPLES, setting
from passgrid.datasets.source import Source


@dataclass
class DiskSettings:
    copy_path: Optional[str] = setting(None, SAMPLES)  # a .parquet file, or a save_to_disk folder
    copy_split: Optional[str] = setting(None, SAMPLES)  # the split of a saved DatasetDict


class DiskSource(Source):
    name = "disk"
    Settings = DiskSettings

    @classmethod
    def check(cls, dataset: dict) -> list:
        path = dataset.get("copy_path")
        if not path:
            return ["dataset.copy_path: a disk dataset needs a Parquet file or a save_to_disk folder"]
        return [] if Path(path).exists() else [f"dataset.copy_path={path!r}: no such file or folder"]

    @classmethod
    def rows(cls, dataset: dict):
        path = Path(dataset.get("copy_path") or "")
        if not path.exists():
            raise PassgridError(f"dataset.copy_path: no such file or folder: {path}")
        if path.is_file():
            import pyarrow.parquet

            try:
                return path, iter(pyarrow.parquet.read_table(path).to_pylist())
            except Exception as e:  # pyarrow's errors for a file that is not Parquet
                raise PassgridError(f"{path}: not a Parquet file ({str(e).splitlines()[0][:200]})") from None
        return path, iter(cls._saved(path, dataset.get("copy_split")))

    @staticmethod
    def _saved(path: Path, split: Optional[str]):
        import datasets

        try:
            saved = datasets.load_from_disk(str(path))
        except FileNotFoundError as e:
            raise PassgridError(f"{path}: not a folder written by save_to_disk ({str(e).splitlines()[0][:200]})") \
                from None
        if isinstance(saved, datasets.DatasetDict):
            if split not in saved:
                raise PassgridError(f"dataset.copy_split={split!r}: {path} holds the splits {', '.join(saved)}")
            return saved[split]
        return saved
