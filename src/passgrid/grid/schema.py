"""The config schema: every key a cell may have, its type, its default, and
what a change to it changes (passgrid.changes: samples, budget, verdicts,
derived), from which the grid's ids are derived (passgrid.grid.ids).

Hydra composes conf/; this schema is merged over the result once, so that an
unknown key or a wrong type fails before anything runs. Semantic checks (a
temperature below 0, a backend that does not exist) follow in `check_values`.
The `dataset` and `model` sections hold the fields that the dataset sources
and the sampling backends declare for themselves (their plugins' `Settings`).
"""
import os
from dataclasses import MISSING as MISSING_FIELD
from dataclasses import dataclass, field, fields, make_dataclass
from typing import Any, Dict, List, Optional

from passgrid.changes import BUDGET, DERIVED, SAMPLES, VERDICTS, changes_of, setting
from passgrid.datasets import SOURCE_NAMES, source_class
from passgrid.datasets.problems import SCHEMAS
from passgrid.execution.limits import Limits
from passgrid.sampling.backends import BACKEND_NAMES, backend_class
from passgrid.sampling.prompts import STYLES, WRITES
from passgrid.sampling.seeds import MAX_BASE_SEED, MAX_SAMPLES

# OmegaConf's MISSING (a value Hydra must fill), spelled here so that the
# schema imports without OmegaConf: an engine's own virtualenv (model.python)
# unpickles the model config a sampling job sends it.
MISSING = "???"


@dataclass
class _DatasetCommon:
    name: str = setting(MISSING, SAMPLES)
    source: str = setting("package", SAMPLES)  # a source plugin (passgrid.datasets): package | jsonl | hub
    # Keep the first N problems (None: all). A budget: a draw holds every
    # problem any cell asks for, and growing it draws only the new problems.
    limit: Optional[int] = setting(None, BUDGET)
    # A stronger test set for the same problems (JSONL path, HumanEval's schema
    # or EvalPlus's release format; hub:ID such as hub:evalplus/humanevalplus;
    # or `plus`, an EvalPlus dataset's own base + plus tests): samples are
    # judged by both, and the report shows the gap. It changes no draw.
    strong_tests: Optional[str] = setting(None, VERDICTS)
    # Read every row as this schema (passgrid.datasets.problems.SCHEMAS)
    # instead of detecting it from the row's fields.
    schema: Optional[str] = setting(None, SAMPLES)
    # A window of contest dates (ISO, both ends inclusive), for benchmarks
    # that date their problems (LiveCodeBench): problems from after a
    # model's training cut-off.
    date_from: Optional[str] = setting(None, SAMPLES)
    date_to: Optional[str] = setting(None, SAMPLES)
    # What this dataset's programs need to read (data files its problems
    # open), bound read-only into the sandbox beside execution.sandbox_paths.
    sandbox_paths: List[str] = setting(changes=VERDICTS, default_factory=list)


@dataclass
class _ModelCommon:
    name: str = setting(MISSING, SAMPLES)
    backend: str = setting(MISSING, SAMPLES)  # a backend plugin (passgrid.sampling.backends)
    params_b: Optional[float] = setting(None, DERIVED)  # billions of parameters, for FLOPs
    price_input_per_mtok: Optional[float] = setting(None, DERIVED)  # dollars per million tokens
    price_output_per_mtok: Optional[float] = setting(None, DERIVED)
    price_per_gpu_hour: Optional[float] = setting(None, DERIVED)
    # Another Python interpreter to run the backend in (its own virtualenv,
    # with passgrid installed there too), for an engine whose pins differ
    # from passgrid's: `make vllm` makes .venv-vllm for vLLM's CPU build.
    python: Optional[str] = setting(None, DERIVED)
    # A measured reference (a large model's published samples, judged here):
    # its pass@1, with its interval, is a reference line for the other cells
    # and is what they must reach, in place of a cited figure of the same name.
    reference: bool = setting(False, DERIVED)


def _with_plugins(name: str, common: type, plugins) -> type:
    """A config section: the common fields, then every plugin's own (a name
    two of them declare is a bug in one of them)."""
    members = list(fields(common))
    for plugin in plugins:
        for f in fields(plugin.Settings):
            if f.name in {m.name for m in members}:
                raise TypeError(f"{plugin.__name__} declares {name}.{f.name}, which is declared already")
            members.append(f)
    section = make_dataclass(name, [(f.name, f.type, setting(f.default, changes_of(f), default_factory=f.default_factory,
                                                            added=f.metadata.get("added", False)))
                                    for f in members])
    section.__module__ = __name__  # so that a job holding one pickles (Snakemake's params)
    return section


DatasetConfig = _with_plugins("DatasetConfig", _DatasetCommon, map(source_class, SOURCE_NAMES))
ModelConfig = _with_plugins("ModelConfig", _ModelCommon, map(backend_class, BACKEND_NAMES))
# section -> (the key that chooses the plugin, {plugin name: the fields it declares})
PLUGIN_FIELDS = {
    "dataset": ("source", {name: {f.name for f in fields(source_class(name).Settings)} for name in SOURCE_NAMES}),
    "model": ("backend", {name: {f.name for f in fields(backend_class(name).Settings)} for name in BACKEND_NAMES}),
}


def foreign_keys(section: str, values: dict) -> list:
    """Settings in a dataset or model section, other than their defaults,
    that belong to a plugin it does not choose, as 'section.key=value: why'
    strings (the chosen plugin would ignore them)."""
    key, owned = PLUGIN_FIELDS[section]
    chosen, plugin_class = values.get(key), {"dataset": source_class, "model": backend_class}[section]
    found = []
    for plugin, names in owned.items():
        if plugin == chosen:
            continue
        defaults = {f.name: _default(f) for f in fields(plugin_class(plugin).Settings)}
        found += [f"{section}.{name}={values[name]!r}: a setting of {key} {plugin}, not of {chosen}"
                  for name in sorted(names - owned.get(chosen, set())) if values.get(name, defaults[name]) != defaults[name]]
    return found


def _default(f):
    return f.default_factory() if f.default_factory is not MISSING_FIELD else f.default


def chosen_fields(section: str, values: dict) -> dict:
    """A dataset or model section without the fields of the plugins it does
    not choose: another backend's settings change nothing of this one's samples."""
    key, owned = PLUGIN_FIELDS[section]
    others = set().union(*(names for plugin, names in owned.items() if plugin != values.get(key)))
    return {k: v for k, v in values.items() if k not in others}


@dataclass
class PromptConfig:
    style: str = setting("chat", SAMPLES)  # chat: code extracted from the reply | completion: raw continuation
    instruction: str = setting("", SAMPLES)
    system: Optional[str] = setting(None, SAMPLES)
    stop: List[str] = setting(changes=SAMPLES, default_factory=list)
    # chat: stop a sample once its reply holds a closed code block defining
    # the function (what is executed cannot change after it, but the raw
    # reply and its tokens do). Honoured by llamacpp; vLLM and API servers
    # cannot stop on a test of the text and return whole replies, with the
    # same programs.
    stop_at_answer: bool = setting(False, SAMPLES)
    # programs: the cell's samples | tests: a draw of model-written tests (WrittenConfig makes it)
    writes: str = setting("programs", SAMPLES, added=True)


@dataclass
class SamplingConfig:
    n: int = setting(8, BUDGET)  # samples per problem; a draw grows to the largest n asked of it
    temperature: float = setting(0.8, SAMPLES)
    top_p: float = setting(0.95, SAMPLES)
    max_tokens: int = setting(512, SAMPLES)
    seed: int = setting(0, SAMPLES)  # the base seed: each problem's stream derives from it and the task_id
    # Sampling jobs per draw, each drawing every shards-th problem on its own
    # engine (and GPUs, on a cluster); joined, they equal the unsplit draw.
    # A draw shared by cells takes the largest any of them asks for.
    shards: int = setting(1, DERIVED)


@dataclass
class ExecutionConfig:
    # Sandbox limits; their defaults live in passgrid.execution.limits.Limits.
    timeout_s: float = setting(Limits.timeout_s, VERDICTS)  # floor of each problem's time limit
    timeout_factor: float = setting(Limits.timeout_factor, VERDICTS)  # x the reference solution's runtime
    # floor of a probe's time limit (shown tests, written tests): see Limits
    probe_timeout_s: float = setting(Limits.probe_timeout_s, VERDICTS, added=True)
    memory_mb: int = setting(Limits.memory_mb, VERDICTS)
    file_size_mb: int = setting(Limits.file_size_mb, VERDICTS)
    open_files: int = setting(Limits.open_files, VERDICTS)
    processes: int = setting(Limits.processes, VERDICTS)
    # What programs may read besides the interpreter and the system (data files
    # a benchmark's programs open), bound read-only into the sandbox.
    sandbox_paths: List[str] = setting(changes=VERDICTS, default_factory=list)
    workers: int = setting(2, DERIVED)  # judge processes: how fast, not what
    cache: Optional[str] = setting("results/cache/verdicts.sqlite", DERIVED)  # verdicts by content, shared by cells and runs


TESTS_INSTRUCTION = ("Write five assert statements that check a correct implementation of the function below: "
                     "each calls it with literal arguments and compares its result with the literal answer. "
                     "Reply with the asserts alone, in a single ```python code block.")


@dataclass
class WrittenConfig:
    # Tests the cell's own model writes for each problem, which CodeT's dual
    # agreement ranks its samples with: a draw of their own (seeded,
    # resumable, named by its own identity: the cell's model, prompt style,
    # system prompt, top_p and seed asked for tests, and these),
    # passgrid.grid.grid.tests_config. To the cell's programs they change
    # only what they are judged with, never the programs.
    n: int = setting(0, VERDICTS, added=True)  # test generations per problem; 0: none drawn
    temperature: float = setting(0.8, VERDICTS, added=True)
    max_tokens: int = setting(300, VERDICTS, added=True)  # CodeT's
    instruction: str = setting(TESTS_INSTRUCTION, VERDICTS, added=True)  # what a chat model is asked


@dataclass
class TrackingConfig:
    uri: str = setting("sqlite:///mlflow.db", DERIVED)
    experiment: str = setting("passgrid", DERIVED)


@dataclass
class ReferenceConfig:
    name: str = MISSING
    pass_at_1: float = MISSING  # a fraction, as measured elsewhere
    source: str = MISSING  # where the number comes from
    # What it was measured on: a dataset config's name and how many of its
    # problems; a cell on other problems is marked where it is compared.
    dataset: Optional[str] = None
    problems: Optional[int] = None
    cost_usd_per_problem: Optional[float] = None  # what its pass@1 cost a problem (its list price), where known


@dataclass
class AnalysisConfig:
    # Grid-level analysis (summary, fits, report): changing it reruns no cell.
    level: float = setting(0.95, DERIVED)  # confidence level of every interval
    bootstrap: int = setting(1000, DERIVED)  # replicates of the Bayesian bootstrap over problems
    seed: int = setting(0, DERIVED)
    references: List[ReferenceConfig] = setting(changes=DERIVED, default_factory=list)
    fit_fraction: float = setting(0.25, DERIVED)  # validation: fit on each problem's first fraction x n samples, predict pass@n
    extrapolate_to: List[int] = setting(changes=DERIVED, default_factory=lambda: [100, 1000, 10000])
    horizon: float = setting(10.0, DERIVED)  # extrapolations and crossings go no further than horizon x n
    selection_orders: int = setting(200, DERIVED)  # random orderings of each problem's samples for selected@k


@dataclass
class SweepConfig:
    description: str = ""
    params: Dict[str, Any] = field(default_factory=dict)  # key: Hydra sweep expression
    # Cells beside the product, each a map of key: value (no sweeps) over the
    # params and overrides that take one value (e.g. a measured reference at
    # its own n and temperature, under the grid's dataset.limit).
    include: List[Dict[str, Any]] = field(default_factory=list)


@dataclass
class Config:
    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
    written: WrittenConfig = field(default_factory=WrittenConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)


# A cell's own sections; the grid-level ones are one for the whole grid (its
# summary, report and tracking are computed over all cells).
CELL_SECTIONS = ("dataset", "model", "prompt", "sampling", "execution", "written")
GRID_SECTIONS = ("analysis", "tracking")


@dataclass(frozen=True)
class CellConfig:
    """A cell's own sections of its Config: what the summary, report and
    tracking know of it (passgrid.grid.jobs.CellRecord)."""
    dataset: DatasetConfig
    model: ModelConfig
    prompt: PromptConfig
    sampling: SamplingConfig
    execution: ExecutionConfig
    written: WrittenConfig

    @classmethod
    def of(cls, config: Config) -> "CellConfig":
        return cls(**{k: getattr(config, k) for k in CELL_SECTIONS})


def _missing_files(cfg) -> list:
    """Files the config names that are not there (relative paths: from the
    working directory, where the workflow runs)."""
    from pathlib import Path

    strong = cfg.dataset.strong_tests
    if strong and strong != "plus" and not strong.startswith("hub:") and not Path(strong).is_file():
        return [f"dataset.strong_tests={strong!r}: no such file (or hub:ID for a hub dataset, or plus)"]
    return []


def _iso_date(value) -> bool:
    import datetime

    try:
        return value is None or bool(datetime.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return False


def _written_checks(cfg) -> list:
    """check_values' (key, holds, why) for the tests a cell's model writes."""
    return [
        ("prompt.writes", cfg.prompt.writes == WRITES[0], "a cell's prompt writes programs; its tests are drawn with "
         "written.n"),
        ("written.n", 0 <= cfg.written.n <= MAX_SAMPLES, f"must be in [0, {MAX_SAMPLES}]"),
        ("written.n", not cfg.written.n or cfg.model.backend not in BACKEND_NAMES or backend_class(cfg.model.backend).seeded,
         "a samples file draws nothing: give its model's tests as model.written_tests"),
        ("written.temperature", cfg.written.temperature >= 0, "must be >= 0"),
        ("written.max_tokens", cfg.written.max_tokens >= 1, "must be >= 1"),
    ]


def check_values(cfg) -> list:
    """Semantic problems of a typed config, as 'key=value: why' strings."""
    checks = [
        ("dataset.source", cfg.dataset.source in SOURCE_NAMES, f"one of {', '.join(SOURCE_NAMES)}"),
        ("dataset.limit", cfg.dataset.limit is None or cfg.dataset.limit >= 1, "must be >= 1"),
        ("dataset.schema", cfg.dataset.schema in (None, *SCHEMAS), f"null (detected) or one of {', '.join(SCHEMAS)}"),
        ("dataset.date_from", _iso_date(cfg.dataset.date_from), "an ISO date, YYYY-MM-DD"),
        ("dataset.date_to", _iso_date(cfg.dataset.date_to), "an ISO date, YYYY-MM-DD"),
        ("model.backend", cfg.model.backend in BACKEND_NAMES, f"one of {', '.join(BACKEND_NAMES)}"),
        ("prompt.style", cfg.prompt.style in STYLES, f"one of {', '.join(STYLES)}"),
        ("prompt.stop_at_answer", not cfg.prompt.stop_at_answer or cfg.prompt.style == "chat",
         "only with prompt.style=chat (the answer is a code block of the reply)"),
        ("sampling.n", 1 <= cfg.sampling.n <= MAX_SAMPLES, f"must be in [1, {MAX_SAMPLES}]"),
        ("sampling.shards", cfg.sampling.shards >= 1, "must be >= 1"),
        ("sampling.temperature", cfg.sampling.temperature >= 0, "must be >= 0"),
        ("sampling.top_p", 0 < cfg.sampling.top_p <= 1, "must be in (0, 1]"),
        ("sampling.max_tokens", cfg.sampling.max_tokens >= 1, "must be >= 1"),
        ("sampling.seed", 0 <= cfg.sampling.seed <= MAX_BASE_SEED, f"must be in [0, {MAX_BASE_SEED}]"),
        ("execution.timeout_s", cfg.execution.timeout_s > 0, "must be > 0"),
        ("execution.probe_timeout_s", cfg.execution.probe_timeout_s > 0, "must be > 0"),
        ("execution.timeout_factor", cfg.execution.timeout_factor >= 1, "must be >= 1"),
        ("execution.memory_mb", cfg.execution.memory_mb >= 64, "must be >= 64"),
        ("execution.workers", cfg.execution.workers >= 1, "must be >= 1"),
        *_written_checks(cfg),
        ("analysis.level", 0 < cfg.analysis.level < 1, "must be in (0, 1)"),
        ("analysis.bootstrap", cfg.analysis.bootstrap >= 100, "must be >= 100"),
        ("analysis.fit_fraction", 0 < cfg.analysis.fit_fraction < 1, "must be in (0, 1)"),
        ("analysis.selection_orders", cfg.analysis.selection_orders >= 2, "must be >= 2 (its Monte Carlo error needs two)"),
    ]
    problems = []
    for key, ok, why in checks:
        if not ok:
            section, name = key.split(".")
            problems.append(f"{key}={getattr(getattr(cfg, section), name)!r}: {why}")
    if problems:
        return problems  # the plugins' checks below assume a known source and backend
    for i, ref in enumerate(cfg.analysis.references):
        if not 0 < ref.pass_at_1 <= 1:
            problems.append(f"analysis.references[{i}].pass_at_1={ref.pass_at_1!r}: a fraction in (0, 1]")
    problems += source_class(cfg.dataset.source).check(dict(cfg.dataset))
    problems += backend_class(cfg.model.backend).check(cfg.model)
    if cfg.model.python and not os.access(cfg.model.python, os.X_OK):
        problems.append(f"model.python={cfg.model.python!r}: no interpreter there (relative paths are from the "
                        "working directory)")
    return problems + _missing_files(cfg)
