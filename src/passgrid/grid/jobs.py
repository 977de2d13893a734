"""Typed records of what each job is given, built by the Grid and passed to
the steps (through Snakemake's params, or directly by the CLI and tests):
config sections as the schema's dataclasses."""
from dataclasses import asdict, dataclass
from typing import Optional

from passgrid.changes import VERDICTS, keep
from passgrid.execution.cache import TIME_FIELDS
from passgrid.grid.schema import CellConfig, ExecutionConfig, ModelConfig, PromptConfig, SamplingConfig


@dataclass(frozen=True)
class SampleJob:
    """One draw at its budget: the model, prompt and sampling sections (with
    sampling.n the draw's n), and the draw's problems (the first `limit`),
    of which this job draws shard `shard` of `shards` (joining them takes
    the same record)."""
    draw: str
    model: ModelConfig
    prompt: PromptConfig
    sampling: SamplingConfig
    limit: Optional[int]
    identity: dict  # the draw's SAMPLES fields, as recorded in its draw.json
    gpus: int  # per shard
    shard: int = 1
    shards: int = 1

    @property
    def reruns_on(self) -> dict:
        """What re-runs the job when it changes: the draw and its budget; not
        the model's DERIVED settings (threads, slots, retries, prices). The
        shard is in the job's output path."""
        return {"draw": self.identity, "n": self.sampling.n, "limit": self.limit}


@dataclass(frozen=True)
class ExecuteJob:
    """One cell's samples (each problem's first n, of the first `limit`
    problems) judged against its tests, or with `probe` run once each on the
    tests its statement shows and the model-written tests in `written`'s
    file, where it has one."""
    execution: ExecutionConfig
    n: int
    limit: Optional[int]
    probe: bool
    hidden: tuple = ()  # where the workflow keeps tests and verdicts: hidden from programs
    written: Optional[str] = None
    written_n: Optional[int] = None  # of a tests draw: each problem's first this many generations

    @property
    def reruns_on(self) -> dict:
        """The cell's limits and budget; not its workers or cache path."""
        # a probe's time limit is its own: it reruns probes, never the verdicts on the tests
        settings = {k: v for k, v in keep(ExecutionConfig, asdict(self.execution), {VERDICTS}).items()
                    if k != "probe_timeout_s"}
        probed = {"probe_timeout_s": self.execution.probe_timeout_s} if self.probe else {}
        return {"execution": {**settings, **probed}, "n": self.n,
                "limit": self.limit, "probe": self.probe, **({"written": self.written} if self.written else {}),
                **({"written_n": self.written_n} if self.written_n else {})}

    @property
    def judged_under(self) -> dict:
        """What its verdicts are cached under: its VERDICTS settings but the
        time limit's (passgrid.execution.cache.TIME_FIELDS)."""
        settings = keep(ExecutionConfig, asdict(self.execution), {VERDICTS})
        return {k: v for k, v in settings.items() if k not in TIME_FIELDS}


@dataclass(frozen=True)
class CellRecord:
    """What the summary, report and tracking jobs know of a cell, and the
    paths of its results."""
    id: str
    config: CellConfig
    flat_config: dict  # its settings, as columns
    varying: dict
    samples: str
    draw_meta: str  # the draw's identity and what drew its samples (engine, version, options, model hash)
    executions: str
    per_problem: str
    probes: str
    written: Optional[str]  # the samples' verdicts on the model-written tests, where the model has them
    written_tests: Optional[str]  # those tests (passgrid.datasets.written_tests), as configured
    problems: str  # its problems, as prepared
    per_problem_strong: Optional[str]
    executions_strong: Optional[str]
    config_json: str
    figure: str  # its pass@k curve, drawn by the report, logged with its MLflow run
    gpus: int  # GPUs a sampling job of the cell's model takes: what its GPU-hours count

    @property
    def plain_config(self) -> dict:
        """Its config as plain values: its config.json, and its MLflow run's."""
        return asdict(self.config)
