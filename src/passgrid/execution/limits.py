"""The sandbox's limits, as plain data: what the schema's defaults are and
what every judge job carries (no import of the sandbox here)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 3.0  # the floor of every problem's time limit
    timeout_factor: float = 20.0  # times the reference solution's runtime
    memory_mb: int = 2048
    file_size_mb: int = 16
    open_files: int = 64
    processes: int = 64
