"""The interface every sampling backend implements, and what it declares:
the model-config fields it reads (each with what a change to it changes),
their checks, and the GPUs a job of it takes (for the scheduler and the cost)."""
from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Request:
    """n samples for one prompt. Exactly one of `messages` (chat) and `prompt`
    (raw completion) is set. Sample i is drawn with seed `seed + i`: the
    problem's seed stream (passgrid.sampling.seeds) from the request's first
    sample on."""
    n: int
    temperature: float
    top_p: float
    max_tokens: int
    seed: int
    messages: Optional[list] = None
    prompt: Optional[str] = None
    stop: tuple = ()
    # chat: the entry point whose code the reply must give; a backend that
    # decodes token by token may stop once prompts.answer_complete holds
    # (finish_reason "answer"), as nothing after it changes the program.
    stop_at_answer: Optional[str] = None
    task_id: str = ""  # the problem, and its first sample's index in its stream
    first: int = 0


@dataclass(frozen=True)
class Generation:
    """One sample. Its token counts are the tokens processed for it that no
    other sample already paid for: a prompt evaluated once for n samples (a
    shared KV cache, a prefix-cache hit, one API response with n choices) is
    counted on one of them only, so sums are what was computed or billed;
    None where nobody counted them (a samples file that gives none)."""
    text: str
    prompt_tokens: Optional[int]
    completion_tokens: Optional[int]
    finish_reason: str
    latency_s: float
    # The program itself, where the backend has it as such (samples written
    # elsewhere); otherwise it is taken out of `text` as the prompt says.
    completion: Optional[str] = None
    # The mean over its sampled tokens of each one's log-probability under the
    # model (its raw distribution, before temperature and top_p), where the
    # backend reports them: what the logprob strategy ranks by.
    mean_logprob: Optional[float] = None


class Backend:
    """Draws samples. Subclasses set `name` and `Settings` and implement
    `generate`; they import their engine inside, so that declaring them
    (the schema reads `Settings`) costs nothing."""
    name = "base"
    # A dataclass of the model-config fields only this backend reads, each a
    # passgrid.changes.setting; the schema's `model` section holds them all.
    Settings = None
    # The conda environment (in envs/) that `snakemake --use-conda` runs this
    # backend's sampling jobs in.
    conda_env = "sampling-cpu.yaml"
    # Whether sample i was drawn with the stream's seed (False: samples made
    # elsewhere, recorded with no seed).
    seeded = True
    # Whether its jobs decode on the CPU cores they are given (the workflow
    # shares the cores among such jobs only).
    uses_cpu_threads = False

    @classmethod
    def check(cls, model) -> list:
        """Problems of a model config for this backend, as 'key=value: why' strings."""
        return []

    @classmethod
    def gpus(cls, model) -> int:
        """GPUs one sampling job takes: a scheduler resource, and what GPU-hours count."""
        return 0

    @classmethod
    def input_files(cls, model) -> dict:
        """The files the samples come from, by config key (a model's weights, a
        samples file): the sampling job's inputs, so that an edited file reruns
        it, and their hashes are checked against the draw's (sampling.record)."""
        return {}

    @classmethod
    def tokens_per_s(cls, model):
        """The decode throughput of one job that the model config states, for
        the cost preview; None where it states none."""
        return None

    def __init__(self, model, threads: int = 1):
        self.model = model
        self.threads = threads

    def generate(self, request: Request) -> list:
        """Return exactly request.n Generations, in seed order."""
        raise NotImplementedError

    def generate_many(self, requests: list):
        """Yield (index, generations) for each request as it completes, in
        any order. The default draws them one after another; the backends
        overlap them (a batch across problems, requests in flight at once)."""
        for index, request in enumerate(requests):
            yield index, self.generate(request)

    def provenance(self) -> dict:
        """What drew the samples: the engine and its version, the options in
        force, the model file's hash where there is a file (kept in the draw's draw.json)."""
        return {"backend": self.name}

    def close(self) -> None:
        """Release the model (GPU memory, server connections)."""
