"""Draw n samples per problem with a backend, resumably, growing a draw.

Each problem's samples live in a file of its own (`problem_file`), named by
its task_id and written atomically as soon as the problem's samples are
drawn. A rerun draws, per problem, only what its file lacks: nothing for a
complete one, the samples from index m on for a file of m < n (a larger
budget), everything for a new problem (a larger dataset.limit). Sample i of
a problem always has the seed `sampling.seeds.sample_seed(seed, stream_key(task_id), i)`,
so a grown draw equals a fresh draw at the larger budget, and a draw split
into shards (jobs drawing disjoint problems into the same folder) equals
the unsplit draw. When every problem is done, each problem's first n
samples are joined into one file (`join_samples`).
"""
import hashlib
import re
import sys
import time
from pathlib import Path
from typing import Iterator

from passgrid import PassgridError
from passgrid.files import read_jsonl_lines, write_jsonl_atomic
from passgrid.kinds import STDIO
from passgrid.problem import Problem
from passgrid.sample import Sample, read_sample_file
from passgrid.sampling.backends import Request, backend_class, make_backend
from passgrid.sampling.prompts import chat_messages, completion_from_code, extract_code, tests_prompt, tests_text, truncate_at_stop
from passgrid.sampling.seeds import sample_seed, stream_key

# The fields of a sample record that differ between two runs drawing the same samples.
TIMING_FIELDS = ("latency_s", "started_at", "run")


def build_request(problem: Problem, prompt, sampling, first: int = 0) -> Request:
    """The request for a problem's samples `first` .. sampling.n - 1."""
    tests = prompt.writes == "tests"
    common = dict(n=sampling.n - first, temperature=sampling.temperature, top_p=sampling.top_p,
                  max_tokens=sampling.max_tokens,
                  seed=sample_seed(sampling.seed, stream_key(problem.task_id, prompt.writes), first),
                  stop=tuple(prompt.stop or ()), task_id=problem.task_id, first=first)
    if tests and (problem.kind == STDIO or problem.whole_program):
        raise PassgridError(f"written.n: {problem.task_id} is a {problem.kind} problem; model-written tests "
                            "call a function (CodeT's)")
    if tests and prompt.style == "completion":
        return Request(prompt=tests_prompt(problem.prompt, problem.entry_point), **common)
    if prompt.style == "chat":
        return Request(messages=chat_messages(problem.prompt, prompt.instruction, prompt.system,
                                              code=problem.kind != STDIO),
                       stop_at_answer=problem.entry_point if prompt.stop_at_answer else None, **common)
    if problem.whole_program:  # a continuation of the prompt would be judged without it
        raise PassgridError(f"prompt.style=completion: {problem.task_id} is a {problem.kind} problem, whose "
                            "completion is the whole program; use prompt=chat (or prompt=stdio)")
    return Request(prompt=problem.prompt, **common)


def to_completion(text: str, problem: Problem, prompt) -> str:
    """What to append to the problem's prompt, from the model's raw text (for
    a problem whose completion is the whole program, that program). For a
    tests draw, the asserts: a chat reply's code blocks, or the continuation."""
    if prompt.writes == "tests":
        return tests_text(text) if prompt.style == "chat" else truncate_at_stop(text, prompt.stop or [])
    if prompt.style == "chat":
        code = extract_code(text, problem.entry_point)
        return code if problem.whole_program else completion_from_code(code, problem.entry_point)
    return truncate_at_stop(text, prompt.stop or [])


def shard_of(problems: list, shard: int, shards: int) -> list:
    """The problems shard `shard` (1-based) of `shards` draws: every shards-th,
    so each shard gets short and long problems alike."""
    return problems[shard - 1::shards]


def draw_problems(problems: list, model, prompt, sampling, problem_dir,
                  threads: int = 1, progress: bool = True, on_start=None, run: str = None) -> dict:
    """Give every problem sampling.n samples, drawing only what its file
    in `problem_dir` lacks. Each sample records `run`, the sampling job that
    drew it (its time is that job's: passgrid.analysis.costs.usage).

    Returns counts: problems drawn for now, problems complete from earlier
    runs, samples drawn now; and the backend's provenance (None where
    nothing was drawn), also given to `on_start` before drawing.
    """
    problem_dir, n = Path(problem_dir), sampling.n
    seeded = _seeded(model)
    have = {p.task_id: _read_problem_file(problem_file(problem_dir, p.task_id), p.task_id, sampling.seed,
                                          seeded, prompt.writes) for p in problems}
    todo = [p for p in problems if len(have[p.task_id]) < n]
    resumed = len(problems) - len(todo)
    if resumed or any(have[p.task_id] for p in todo):
        print(f"sample: {resumed} of {len(problems)} problems complete in {problem_dir}, "
              f"{sum(len(have[p.task_id]) for p in todo)} samples of the others kept", file=sys.stderr)
    drawn, provenance = 0, None
    if todo:
        backend = make_backend(model, threads=threads)
        try:
            provenance = backend.provenance()
            if on_start:
                on_start(provenance)
            bar = _progress_bar(len(todo), progress)
            requests = [build_request(p, prompt, sampling, first=len(have[p.task_id])) for p in todo]
            tokens, start = 0, time.monotonic()
            for j, generations in backend.generate_many(requests):
                problem = todo[j]
                old = have[problem.task_id]
                records = _records(backend, problem, prompt, requests[j], generations, first=len(old), run=run,
                                   seeded=seeded)
                write_jsonl_atomic(problem_file(problem_dir, problem.task_id), (s.to_json() for s in old + records))
                # rates over the whole run: problems overlap in a batching backend
                drawn, tokens = drawn + len(records), tokens + _tokens(records)
                elapsed = max(1e-9, time.monotonic() - start)
                bar.update(1)
                bar.set_postfix(samples_s=f"{drawn / elapsed:.2f}", tok_s=f"{tokens / elapsed:.0f}")
            bar.close()
        finally:
            backend.close()
    return {"sampled": len(todo), "resumed": resumed, "drawn": drawn, "provenance": provenance}


def _seeded(model) -> bool:
    """Whether the model's backend draws with the stream's seeds (False: samples made elsewhere)."""
    return backend_class(model.backend).seeded


def join_samples(problems: list, model, sampling, problem_dir, out_path, writes: str = "programs") -> int:
    """Write each problem's first sampling.n samples, in the problems'
    order, into one file; returns how many. A problem whose file holds fewer
    (a shard of the draw that did not run) is an error naming it. `writes`:
    the draw's prompt.writes (its seed streams: seeds.stream_key)."""
    n, joined, seeded = sampling.n, [], _seeded(model)
    for p in problems:
        path = problem_file(problem_dir, p.task_id)
        rows = _read_problem_file(path, p.task_id, sampling.seed, seeded, writes)[:n]
        if len(rows) < n:
            raise PassgridError(f"{path}: {p.task_id} has {len(rows)} of its {n} samples; "
                                "the job drawing it has not finished")
        joined += rows
    write_jsonl_atomic(out_path, (s.to_json() for s in joined))
    return len(joined)


def _records(backend, problem: Problem, prompt, request: Request, generations: list, first: int, run: str,
             seeded: bool) -> list:
    if len(generations) != request.n:
        raise PassgridError(f"backend {backend.name} returned {len(generations)} samples for "
                            f"{problem.task_id}, expected {request.n}")
    # A problem is handed over when its slowest sample is done, so its request
    # began that long ago: the clock time of its start lets costs.usage take
    # the union of the problems' spans (they overlap in a batching backend).
    started_at = time.time() - max(g.latency_s for g in generations)
    return [Sample(task_id=problem.task_id, sample_index=first + i, seed=request.seed + i if seeded else None,
                   completion=to_completion(g.text, problem, prompt) if g.completion is None else g.completion,
                   raw=g.text, prompt_tokens=g.prompt_tokens, completion_tokens=g.completion_tokens,
                   finish_reason=g.finish_reason, latency_s=round(g.latency_s, 4), started_at=round(started_at, 3),
                   run=run, mean_logprob=None if g.mean_logprob is None else round(g.mean_logprob, 6))
            for i, g in enumerate(generations)]


def problem_file(problem_dir: Path, task_id: str) -> Path:
    """A problem's file of samples: its task_id made safe for a file name, and
    a short hash of it (two task_ids that read alike still get two files)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", task_id)[:64]
    return Path(problem_dir) / f"{safe}-{hashlib.sha256(task_id.encode('utf-8')).hexdigest()[:8]}.jsonl"


def _read_problem_file(path: Path, task_id: str, base_seed: int, seeded: bool = True, writes: str = "programs") -> list:
    """A problem file's samples, checked: all of `task_id`, indices 0..m-1 in order,
    each with its stream's seed. Anything else is an error naming the file,
    never silently mixed into a draw."""
    stream = stream_key(task_id, writes)
    if not path.exists():
        return []
    rows = list(read_sample_file(path))
    for i, r in enumerate(rows):
        if r.task_id != task_id:
            raise PassgridError(f"{path}: holds samples of another problem than {task_id}; the dataset changed "
                                f"under the same config: move {path.parent} away to sample afresh")
        # no seed: a sample made elsewhere (passgrid.sampling.backends.samples_file)
        if r.sample_index != i or r.seed != (sample_seed(base_seed, stream, i) if seeded else None):
            raise PassgridError(f"{path}: sample {i} is not sample {i} of {task_id}'s seed stream "
                                f"(index {r.sample_index}, seed {r.seed}): move {path.parent} away "
                                "to sample afresh")
    return rows


def _tokens(records) -> int:
    """Tokens drawn, for the progress bar's rate (a samples file counts none)."""
    return sum(r.completion_tokens or 0 for r in records)


def _progress_bar(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="sample", unit="problem", disable=not enabled, file=sys.stderr, mininterval=2.0)


def read_samples(path, problems: dict, n: int = None, keep_raw: bool = True, skip=()) -> list:
    """All of iter_samples, as a list."""
    return list(iter_samples(path, problems, n, keep_raw, skip))


def iter_samples(path, problems: dict, n: int = None, keep_raw: bool = True, skip=()) -> Iterator[Sample]:
    """Yield a samples file's Samples, checked against the problems; without
    `keep_raw`, their raw replies left out (a draw's can be large).
    Samples of the task_ids in `skip` (problems of the dataset that the cell
    leaves out) are passed over; any other task_id is an error.

    With a budget n, each problem keeps its first n samples (sample_index < n:
    the first n of a larger draw are a valid n-sample run) and must have all
    of them: a short run is an error (raised once the file is read), never
    silently scored as failures."""
    counts = {}
    for lineno, row in read_jsonl_lines(path):
        s = Sample.from_json(row, f"{path}:{lineno}", keep_raw)
        if s.task_id in skip:
            continue
        if s.task_id not in problems:
            raise PassgridError(f"{path}:{lineno}: unknown task_id {s.task_id!r} for this dataset")
        if n is not None:
            if s.sample_index is None:
                raise PassgridError(f"{path}:{lineno}: a sample needs an integer sample_index")
            if s.sample_index >= n:
                continue
        counts[s.task_id] = counts.get(s.task_id, 0) + 1
        yield s
    if n is not None:
        wrong = {t: counts.get(t, 0) for t in problems if counts.get(t, 0) != n}
        if wrong:
            t, c = next(iter(wrong.items()))
            raise PassgridError(f"{path}: expected {n} samples per problem; {len(wrong)} problem(s) differ, "
                                f"e.g. {t} has {c}")
