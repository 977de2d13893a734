"""Benchmarks: one source plugin per origin of problems (one small file each,
imported only when named), normalized into one problems file
(passgrid.datasets.problems)."""
from passgrid.plugins import plugin_class

_SOURCES = {
    "package": "passgrid.datasets.package:PackageSource",
    "jsonl": "passgrid.datasets.jsonl:JsonlSource",
    "hub": "passgrid.datasets.hub:HubSource",
    "disk": "passgrid.datasets.disk:DiskSource",
}
SOURCE_NAMES = tuple(_SOURCES)


def source_class(name: str) -> type:
    """The class of the dataset source called `name`, its module imported now."""
    return plugin_class(_SOURCES, "dataset.source", name)
