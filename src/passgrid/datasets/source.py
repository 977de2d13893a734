"""The interface every dataset source implements: the dataset-config fields
it reads (each with what a change to it changes), their checks, its rows."""


class Source:
    """Where problems come from. Subclasses set `name` and `Settings` and
    implement `rows`."""
    name = "base"
    # A dataclass of the dataset-config fields only this source reads, each a
    # passgrid.changes.setting; the schema's `dataset` section holds them all.
    Settings = None

    @classmethod
    def check(cls, dataset: dict) -> list:
        """Problems of a dataset config for this source, as 'key=value: why' strings."""
        return []

    @classmethod
    def rows(cls, dataset: dict):
        """(where, rows): a name for error messages, and the raw records in order."""
        raise NotImplementedError

    @classmethod
    def count(cls, dataset: dict):
        """How many problems the source holds, or None where only a remote knows."""
        return sum(1 for _ in cls.rows(dataset)[1])
