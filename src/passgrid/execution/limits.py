"""The sandbox's limits, as plain data: what the schema's defaults are and
what every judge job carries (no import of the sandbox here)."""
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 3.0  # the floor of every problem's time limit
    timeout_factor: float = 20.0  # times the reference solution's runtime
    # The floor on a probe (the tests a statement shows, model-written tests):
    # small inputs, whose answer a strategy ranks by, not a verdict on the
    # hidden tests. A program that loops on them costs this, not timeout_s:
    # most of a probe run's time (docs/measurements.md).
    probe_timeout_s: float = 0.5
    memory_mb: int = 2048
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64


def probe_limits(limits: Limits) -> Limits:
    """The limits a probe runs under: the probe's floor, never above the tests'."""
    return replace(limits, timeout_s=min(limits.timeout_s, limits.probe_timeout_s))
