"""Draw n samples per problem with a backend, resumably.

Each problem's samples are written to their own shard file, atomically, as
soon as they are drawn; a rerun skips problems whose shard is complete. When
every problem is done the shards are joined into one samples file.
"""
import sys
import time
from pathlib import Path
from typing import Iterator

from passgrid import PassgridError
from passgrid.backends import Request, make_backend
from passgrid.files import read_jsonl, write_jsonl_atomic
from passgrid.prompts import chat_messages, completion_from_code, extract_code, truncate_at_stop

# The fields of a sample record that differ between two runs drawing the same samples.
TIMING_FIELDS = ("latency_s", "started_at")


def build_request(problem: dict, prompt: dict, sampling: dict) -> Request:
    common = dict(n=sampling["n"], temperature=sampling["temperature"], top_p=sampling["top_p"],
                  max_tokens=sampling["max_tokens"], seed=sampling["seed"], stop=tuple(prompt.get("stop") or ()))
    if prompt["style"] == "chat":
        return Request(messages=chat_messages(problem["prompt"], prompt["instruction"], prompt.get("system")),
                       stop_at_answer=problem["entry_point"] if prompt.get("stop_at_answer") else None, **common)
    return Request(prompt=problem["prompt"], **common)


def to_completion(text: str, problem: dict, prompt: dict) -> str:
    """What to append to the problem's prompt, from the model's raw text."""
    if prompt["style"] == "chat":
        return completion_from_code(extract_code(text, problem["entry_point"]), problem["entry_point"])
    return truncate_at_stop(text, prompt.get("stop") or [])


def sample_problems(problems: list, model: dict, prompt: dict, sampling: dict, shard_dir, out_path,
                    threads: int = 1, progress: bool = True) -> dict:
    """Sample every problem, resuming from complete shards; join into out_path.

    Returns counts: problems sampled now and resumed from earlier runs.
    """
    shard_dir = Path(shard_dir)
    todo = [(i, p) for i, p in enumerate(problems)
            if not _shard_complete(_shard_path(shard_dir, i), p["task_id"], sampling["n"])]
    resumed = len(problems) - len(todo)
    if resumed:
        print(f"sample: resuming, {resumed} of {len(problems)} problems already sampled in {shard_dir}",
              file=sys.stderr)
    if todo:
        backend = make_backend(model, threads=threads)
        try:
            bar = _progress_bar(len(todo), progress)
            requests = [build_request(problem, prompt, sampling) for _, problem in todo]
            samples, tokens, start = 0, 0, time.monotonic()
            for j, generations in backend.generate_many(requests):
                index, problem = todo[j]
                records = _records(backend, problem, prompt, requests[j], generations)
                write_jsonl_atomic(_shard_path(shard_dir, index), records)
                # rates over the whole run: problems overlap in a batching backend
                samples, tokens = samples + len(records), tokens + _tokens(records)
                elapsed = max(1e-9, time.monotonic() - start)
                bar.update(1)
                bar.set_postfix(samples_s=f"{samples / elapsed:.2f}", tok_s=f"{tokens / elapsed:.0f}")
            bar.close()
        finally:
            backend.close()
    joined = [r for i in range(len(problems)) for r in read_jsonl(_shard_path(shard_dir, i))]
    write_jsonl_atomic(out_path, joined)
    return {"sampled": len(todo), "resumed": resumed, "samples": len(joined)}


def _records(backend, problem: dict, prompt: dict, request: Request, generations: list) -> list:
    if len(generations) != request.n:
        raise PassgridError(f"backend {backend.name} returned {len(generations)} samples for "
                            f"{problem['task_id']}, expected {request.n}")
    # A problem is handed over when its slowest sample is done, so its request
    # began that long ago: the clock time of its start lets costs.usage take
    # the union of the problems' spans (they overlap in a batching backend).
    started_at = time.time() - max(g.latency_s for g in generations)
    return [
        {
            "task_id": problem["task_id"],
            "sample_index": i,
            "seed": request.seed + i,
            "completion": to_completion(g.text, problem, prompt),
            "raw": g.text,
            "prompt_tokens": g.prompt_tokens,
            "completion_tokens": g.completion_tokens,
            "finish_reason": g.finish_reason,
            # seconds from the start of the problem's request until this sample was done
            "latency_s": round(g.latency_s, 4),
            "started_at": round(started_at, 3),  # the problem's request, seconds since the epoch
        }
        for i, g in enumerate(generations)
    ]


def _shard_path(shard_dir: Path, index: int) -> Path:
    return shard_dir / f"{index:05d}.jsonl"


def _shard_complete(path: Path, task_id: str, n: int) -> bool:
    if not path.exists():
        return False
    try:
        rows = list(read_jsonl(path))
    except PassgridError:
        return False  # a torn shard cannot exist (atomic writes), but never trust one
    if any(r.get("task_id") != task_id for r in rows):
        raise PassgridError(f"{path}: holds samples of another problem than {task_id}; the dataset changed "
                            f"under the same config: move {path.parent} away to sample afresh")
    return len(rows) == n


def _tokens(records) -> int:
    return sum(r["completion_tokens"] for r in records)


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="sample", unit="problem", disable=not enabled, file=sys.stderr, mininterval=2.0)


def read_samples(path, problems: dict, n: int = None, fields: tuple = None) -> list:
    """All of iter_samples, as a list."""
    return list(iter_samples(path, problems, n, fields))


def iter_samples(path, problems: dict, n: int = None, fields: tuple = None) -> Iterator[dict]:
    """Yield a samples file's samples, checked against the problems; with
    `fields`, only those keys of each sample (a draw's raw replies can be large).

    With a budget n, each problem keeps its first n samples (sample_index < n:
    the first n of a larger draw are a valid n-sample run) and must have all
    of them: a short run is an error (raised once the file is read), never
    silently scored as failures."""
    counts = {}
    for lineno, s in enumerate(read_jsonl(path), 1):
        if not isinstance(s.get("task_id"), str) or not isinstance(s.get("completion"), str):
            raise PassgridError(f"{path}:{lineno}: a sample needs string fields task_id and completion")
        if s["task_id"] not in problems:
            raise PassgridError(f"{path}:{lineno}: unknown task_id {s['task_id']!r} for this dataset")
        if n is not None:
            if not isinstance(s.get("sample_index"), int):
                raise PassgridError(f"{path}:{lineno}: a sample needs an integer sample_index")
            if s["sample_index"] >= n:
                continue
        counts[s["task_id"]] = counts.get(s["task_id"], 0) + 1
        yield {k: s.get(k) for k in fields} if fields else s
    if n is not None:
        wrong = {t: counts.get(t, 0) for t in problems if counts.get(t, 0) != n}
        if wrong:
            t, c = next(iter(wrong.items()))
            raise PassgridError(f"{path}: expected {n} samples per problem; {len(wrong)} problem(s) differ, "
                                f"e.g. {t} has {c}")
