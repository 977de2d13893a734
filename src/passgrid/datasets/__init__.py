"""Benchmarks: one source plugin per origin of problems (one small file each,
imported only when named), normalized into one problems file
(passgrid.datasets.problems)."""
import importlib

from passgrid import PassgridError

_SOURCES = {
    "package": "passgrid.datasets.package:PackageSource",
    "jsonl": "passgrid.datasets.jsonl:JsonlSource",
    "hub": "passgrid.datasets.hub:HubSource",
}
SOURCE_NAMES = tuple(_SOURCES)


def source_class(name: str) -> type:
    """The class of the dataset source called `name`, its module imported now."""
    if name not in _SOURCES:
        raise PassgridError(f"dataset.source: unknown source {name!r} (one of {', '.join(_SOURCES)})")
    module_name, class_name = _SOURCES[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)
