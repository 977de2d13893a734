"""A Hugging Face `datasets` hub id: the only source that touches the network."""
from dataclasses import dataclass
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import SAMPLES, setting
from passgrid.datasets.source import Source


@dataclass
class HubSettings:
    hub_id: Optional[str] = setting(None, SAMPLES)
    hub_split: str = setting("test", SAMPLES)
    hub_config: Optional[str] = setting(None, SAMPLES)
    hub_revision: Optional[str] = setting(None, SAMPLES)  # a branch, tag or commit of the dataset's repository


class HubSource(Source):
    name = "hub"
    Settings = HubSettings

    @classmethod
    def check(cls, dataset: dict) -> list:
        return [] if dataset.get("hub_id") else ["dataset.hub_id: a hub dataset needs an id"]

    @classmethod
    def rows(cls, dataset: dict):
        hub_id, split, config = dataset.get("hub_id"), dataset.get("hub_split", "test"), dataset.get("hub_config")
        options = {"revision": dataset["hub_revision"]} if dataset.get("hub_revision") else {}
        if not hub_id:
            raise PassgridError("dataset.hub_id: a hub dataset needs an id")
        try:
            import datasets
        except ImportError:
            raise PassgridError("dataset.source=hub needs the `datasets` package: pip install datasets") from None
        try:
            return f"hub:{hub_id}", iter(datasets.load_dataset(hub_id, config, split=split, **options))
        except Exception as e:  # the hub raises many types: connection, auth, not found
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise PassgridError(f"dataset.hub_id: cannot load {hub_id!r} (split {split!r}) from the hub: {first}") from None

    @classmethod
    def count(cls, dataset: dict):
        return None  # only the hub knows, and asking it is a download
