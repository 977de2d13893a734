"""Resumable sampling, with a stand-in backend that counts what it is asked
for (the real llama.cpp backend runs in the end-to-end test)."""
import json
import time
from dataclasses import replace

import pytest

import passgrid.sampling.draw as sampling
from passgrid import PassgridError
from passgrid.analysis.costs import usage
from passgrid.files import read_jsonl
from passgrid.grid.schema import ModelConfig, PromptConfig, SamplingConfig
from passgrid.sampling.backends import Backend, Generation
from passgrid.sampling.seeds import sample_seed
from tests.conftest import sample_problems

PROMPT = PromptConfig(style="chat", instruction="Complete it.")
SAMPLING = SamplingConfig(n=3, temperature=0.8, top_p=0.95, max_tokens=64, seed=10)
# A model config as the draw machinery reads it (its backend's declarations:
# seeded, no input files); make_backend is replaced by a stand-in in each test.
STAND_IN = ModelConfig(name="stand-in", backend="openai")


class CountingBackend(Backend):
    name = "counting"
    asked = []

    def __init__(self, fail_after=None):
        super().__init__({}, threads=1)
        self.fail_after = fail_after

    def generate(self, request):
        if self.fail_after is not None and len(self.asked) >= self.fail_after:
            raise RuntimeError("killed")
        self.asked.append(request)
        entry = request.messages[0]["content"].split("def ")[1].split("(")[0]
        return [Generation(text=f"```python\ndef {entry}(*a):\n    return {request.seed + i}\n```",
                           prompt_tokens=50 if i == 0 else 0, completion_tokens=10 + (request.seed + i) % 5,
                           finish_reason="stop", latency_s=0.01)
                for i in range(request.n)]


@pytest.fixture
def first_problems(problems):
    return [problems[f"HumanEval/{i}"] for i in range(4)]


def test_samples_record_seed_tokens_and_program(tmp_path, monkeypatch, first_problems):
    CountingBackend.asked = []
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend())
    counts = sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "shards",
                                      tmp_path / "samples.jsonl", progress=False)
    assert counts == {"sampled": 4, "resumed": 0, "drawn": 12, "samples": 12, "provenance": {"backend": "counting"}}
    rows = list(read_jsonl(tmp_path / "samples.jsonl"))
    start = sample_seed(10, "HumanEval/0", 0)
    assert [(r["task_id"], r["sample_index"], r["seed"]) for r in rows[:3]] == [
        ("HumanEval/0", 0, start), ("HumanEval/0", 1, start + 1), ("HumanEval/0", 2, start + 2)]
    assert rows[1]["completion"].strip().endswith(f"return {start + 1}")
    assert {"raw", "prompt_tokens", "completion_tokens", "finish_reason", "latency_s"} <= set(rows[0])


def test_a_killed_run_resumes_without_redoing_or_duplicating(tmp_path, monkeypatch, first_problems):
    CountingBackend.asked = []
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend(fail_after=2))
    with pytest.raises(RuntimeError):
        sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "shards",
                                 tmp_path / "samples.jsonl", progress=False)
    assert not (tmp_path / "samples.jsonl").exists()
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend())
    counts = sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "shards",
                                      tmp_path / "samples.jsonl", progress=False)
    assert counts == {"sampled": 2, "resumed": 2, "drawn": 6, "samples": 12, "provenance": {"backend": "counting"}}
    assert len(CountingBackend.asked) == 4  # 2 before the crash, 2 after: none twice
    rows = list(read_jsonl(tmp_path / "samples.jsonl"))
    assert [(r["task_id"], r["sample_index"]) for r in rows] == [
        (f"HumanEval/{i}", j) for i in range(4) for j in range(3)]


def test_a_backend_returning_too_few_samples_is_an_error(tmp_path, monkeypatch, first_problems):
    class Short(CountingBackend):
        def generate(self, request):
            return super().generate(request)[:-1]

    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: Short())
    with pytest.raises(PassgridError, match="returned 2 samples for HumanEval/0, expected 3"):
        sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "s", tmp_path / "o.jsonl",
                                 progress=False)


def test_a_short_samples_file_is_refused_not_scored(tmp_path, problems):
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps({"task_id": "HumanEval/0", "completion": "", "sample_index": i}) + "\n"
                            for i in range(3)))
    subset = {t: problems[t] for t in ("HumanEval/0", "HumanEval/1")}
    with pytest.raises(PassgridError, match="expected 3 samples per problem; 1 problem"):
        sampling.read_samples(path, subset, n=3)


def test_a_budget_takes_the_first_samples_of_a_larger_draw(tmp_path, problems):
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps({"task_id": "HumanEval/0", "completion": str(i), "sample_index": i}) + "\n"
                            for i in (2, 0, 3, 1)))
    kept = sampling.read_samples(path, {"HumanEval/0": problems["HumanEval/0"]}, n=2)
    assert sorted(s.sample_index for s in kept) == [0, 1]
    with pytest.raises(PassgridError, match="expected 5 samples per problem"):
        sampling.read_samples(path, {"HumanEval/0": problems["HumanEval/0"]}, n=5)


def test_problem_files_of_another_dataset_are_refused_not_reused(tmp_path, monkeypatch, first_problems, problems):
    CountingBackend.asked = []
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend())
    sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "shards", tmp_path / "a.jsonl",
                             progress=False)
    others = [problems["HumanEval/9"]] + first_problems[1:]
    # a file whose content is another problem's (a copied or renamed one)
    sampling.problem_file(tmp_path / "shards", "HumanEval/0").rename(sampling.problem_file(tmp_path / "shards",
                                                                                       "HumanEval/9"))
    with pytest.raises(PassgridError, match="HumanEval_9-[0-9a-f]{8}.jsonl: holds samples of another problem than "
                                            "HumanEval/9"):
        sample_problems(others, STAND_IN, PROMPT, SAMPLING, tmp_path / "shards", tmp_path / "b.jsonl",
                                 progress=False)


def test_sampling_time_counts_problems_drawn_side_by_side_once(tmp_path, monkeypatch, first_problems):
    """A batching backend draws problems together: the cell's sampling time is
    the wall time they took, not the sum of their overlapping spans."""
    class Batching(CountingBackend):
        def generate_many(self, requests):
            start = time.perf_counter()
            time.sleep(0.3)  # all four problems decode together
            for index, request in enumerate(requests):
                yield index, [Generation(text="x", prompt_tokens=1, completion_tokens=1, finish_reason="stop",
                                         latency_s=time.perf_counter() - start) for _ in range(request.n)]

    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: Batching())
    start = time.perf_counter()
    sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "s", tmp_path / "o.jsonl",
                             progress=False)
    wall = time.perf_counter() - start
    rows = list(read_jsonl(tmp_path / "o.jsonl"))
    assert sum(max(r["latency_s"] for r in rows if r["task_id"] == p.task_id) for p in first_problems) > 1.2
    assert 0.3 <= usage(tmp_path / "o.jsonl", SAMPLING.n)["sampling_seconds"] <= wall + 0.01


def test_a_larger_budget_draws_only_the_missing_samples_and_equals_a_fresh_draw(tmp_path, monkeypatch,
                                                                                first_problems):
    CountingBackend.asked = []
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend())
    small = replace(SAMPLING, n=2)
    sample_problems(first_problems[:2], STAND_IN, PROMPT, small, tmp_path / "grown", tmp_path / "a.jsonl",
                             progress=False)
    CountingBackend.asked = []
    counts = sample_problems(first_problems, STAND_IN, PROMPT, replace(SAMPLING, n=5), tmp_path / "grown",
                                      tmp_path / "b.jsonl", progress=False)
    # 2 old problems x 3 new samples, 2 new problems x 5
    assert counts == {"sampled": 4, "resumed": 0, "drawn": 16, "samples": 20, "provenance": {"backend": "counting"}}
    assert sorted(r.n for r in CountingBackend.asked) == [3, 3, 5, 5]
    sample_problems(first_problems, STAND_IN, PROMPT, replace(SAMPLING, n=5), tmp_path / "fresh",
                             tmp_path / "c.jsonl", progress=False)
    # Sample for sample, but for timing and the prompt's tokens: the top-up
    # request evaluated each old problem's prompt again, and paid for it.
    def strip(rows):
        return [{k: v for k, v in r.items() if k not in sampling.TIMING_FIELDS + ("prompt_tokens",)} for r in rows]

    assert strip(read_jsonl(tmp_path / "b.jsonl")) == strip(read_jsonl(tmp_path / "c.jsonl"))
    # shrinking takes each problem's first n again, drawing nothing
    CountingBackend.asked = []
    counts = sample_problems(first_problems, STAND_IN, PROMPT, small, tmp_path / "grown", tmp_path / "d.jsonl",
                                      progress=False)
    assert counts["drawn"] == 0 and not CountingBackend.asked
    assert strip(read_jsonl(tmp_path / "d.jsonl")) == [r for r in strip(read_jsonl(tmp_path / "c.jsonl"))
                                                        if r["sample_index"] < 2]


def test_a_problem_file_from_another_seed_stream_is_refused(tmp_path, monkeypatch, first_problems):
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend())
    sample_problems(first_problems, STAND_IN, PROMPT, SAMPLING, tmp_path / "s", tmp_path / "a.jsonl",
                             progress=False)
    with pytest.raises(PassgridError, match="sample 0 is not sample 0 of HumanEval/0's seed stream"):
        sample_problems(first_problems, STAND_IN, PROMPT, replace(SAMPLING, seed=11, n=4), tmp_path / "s",
                                 tmp_path / "b.jsonl", progress=False)


def test_seed_streams_of_problems_and_base_seeds_never_overlap(problems):
    """For one problem no two base seeds share a seed, whatever the budget up
    to the largest; problems start at unrelated offsets; every seed fits the
    32 bits llama.cpp's sampler takes."""
    from passgrid.sampling.seeds import MAX_BASE_SEED, MAX_SAMPLES, stream_start

    for task_id in problems:
        starts = sorted(stream_start(b, task_id) for b in (0, 1, 2, MAX_BASE_SEED))
        assert all(b - a >= MAX_SAMPLES for a, b in zip(starts, starts[1:]))
        assert sample_seed(MAX_BASE_SEED, task_id, MAX_SAMPLES - 1) < 2 ** 32
    assert len({stream_start(0, t) for t in problems}) == len(problems)


def test_shards_drawn_apart_and_joined_equal_one_draw(tmp_path, monkeypatch, first_problems, problems):
    """Each shard on an engine of its own (as on a cluster), into one folder;
    joined, the samples are the unsharded draw's, and a shard that has not
    run stops the join, naming a problem it lacks."""
    monkeypatch.setattr(sampling, "make_backend", lambda model, threads: CountingBackend())
    five = first_problems + [problems["HumanEval/4"]]
    sample_problems(five, STAND_IN, PROMPT, SAMPLING, tmp_path / "one", tmp_path / "one.jsonl", progress=False)
    shards = [sampling.shard_of(five, i, 3) for i in (1, 2, 3)]
    assert [[p.task_id[-1] for p in s] for s in shards] == [["0", "3"], ["1", "4"], ["2"]]
    for shard in shards[:2]:
        CountingBackend.asked = []
        sampling.draw_problems(shard, STAND_IN, PROMPT, SAMPLING, tmp_path / "split", progress=False)
        assert len(CountingBackend.asked) == len(shard)  # its own problems, no other
    with pytest.raises(PassgridError, match=r"HumanEval_2-[0-9a-f]{8}.jsonl: HumanEval/2 has 0 of its 3 samples"):
        sampling.join_samples(five, STAND_IN, SAMPLING, tmp_path / "split", tmp_path / "split.jsonl")
    sampling.draw_problems(shards[2], STAND_IN, PROMPT, SAMPLING, tmp_path / "split", progress=False)
    assert sampling.join_samples(five, STAND_IN, SAMPLING, tmp_path / "split", tmp_path / "split.jsonl") == 15

    def strip(path):
        return [{k: v for k, v in r.items() if k not in sampling.TIMING_FIELDS} for r in read_jsonl(path)]

    assert strip(tmp_path / "split.jsonl") == strip(tmp_path / "one.jsonl")


def test_each_shard_records_its_run_and_the_join_gathers_them(tmp_path, monkeypatch, first_problems):
    from dataclasses import replace

    from passgrid.files import write_jsonl_atomic
    from passgrid.grid.jobs import SampleJob
    from passgrid.sampling.record import draw_provenance
    from passgrid.steps import join_draw, sample

    write_jsonl_atomic(tmp_path / "problems.jsonl", (p.to_json() for p in first_problems))
    versions = iter(["1.0", "2.0"])

    class Versioned(CountingBackend):
        def provenance(self):
            return {"backend": "counting", "version": self.version}

    def make(model, threads):
        backend = Versioned()
        backend.version = next(versions)
        return backend

    monkeypatch.setattr(sampling, "make_backend", make)
    job = SampleJob(draw="draw-x", model=STAND_IN, prompt=PROMPT, sampling=SAMPLING, limit=None, identity={"a": 1},
                    gpus=0, shards=2)
    draw = tmp_path / "draw"
    paths = dict(problem_dir=draw / "by_problem", draw_meta=draw / "draw.json", runs_dir=draw / "runs")
    for shard in (1, 2):
        sample(tmp_path / "problems.jsonl", replace(job, shard=shard), out_shard=draw / f"{shard}.json", **paths)
    assert len(list((draw / "runs").glob("*.json"))) == 2  # a file each: shards running at once overwrite nothing
    assert join_draw(tmp_path / "problems.jsonl", job, out_samples=draw / "samples.jsonl", **paths) == 12
    record = json.loads((draw / "draw.json").read_text())
    assert [(r["shard"], r["drawn"]) for r in record["runs"]] == [("1 of 2", 6), ("2 of 2", 6)]
    assert draw_provenance(draw / "draw.json") == {"backend": "counting", "version": "2.0", "runs": 2,
                                                   "differs": ["version"]}
    with pytest.raises(PassgridError, match="holds samples of another config"):
        sample(tmp_path / "problems.jsonl", replace(job, identity={"a": 2}), out_shard=draw / "x.json", **paths)


def test_a_draw_refuses_samples_from_an_edited_file_under_the_same_name(tmp_path):
    from passgrid.sampling.record import claim_draw

    meta = tmp_path / "draw.json"
    claim_draw(meta, "draw-x", {"a": 1}, {"model.path": "ab" * 32})
    claim_draw(meta, "draw-x", {"a": 1}, {"model.path": "ab" * 32})  # the same file: fine, as every shard does
    with pytest.raises(PassgridError, match=r"draw.json: the file of model.path changed since this draw began "
                                            r"\(sha256 abababababab..., now cdcdcdcdcdcd...\)"):
        claim_draw(meta, "draw-x", {"a": 1}, {"model.path": "cd" * 32})
    meta.write_text("{not json")
    with pytest.raises(PassgridError, match="draw.json: not valid JSON"):
        claim_draw(meta, "draw-x", {"a": 1})


def test_a_tests_draw_asks_for_asserts_on_a_seed_stream_of_its_own(problems):
    """prompt.writes=tests (a cell's written.n): a completion model goes on
    from CodeT's prompt, a chat model is asked for asserts; the seeds are
    not those of the problem's programs, and a reply's asserts are kept as
    they are, not taken for a program."""
    problem = problems["HumanEval/2"]
    tests = PromptConfig(style="completion", writes="tests", stop=["\ndef "])
    request = sampling.build_request(problem, tests, SAMPLING)
    assert request.prompt.endswith("    pass\n\n# check the correctness of truncate_number\nassert ")
    assert request.prompt.startswith(problem.prompt.rstrip())
    programs = sampling.build_request(problem, PromptConfig(style="completion"), SAMPLING)
    assert request.seed != programs.seed == sample_seed(SAMPLING.seed, problem.task_id, 0)
    chat = sampling.build_request(problem, PromptConfig(style="chat", instruction="Write asserts.", writes="tests"),
                                  SAMPLING)
    assert chat.messages[-1]["content"].startswith("Write asserts.") and chat.seed == request.seed
    reply = "Here:\n```python\nassert truncate_number(3.5) == 0.5\n```\n"
    assert sampling.to_completion(reply, problem, PromptConfig(style="chat", writes="tests")) == \
        "assert truncate_number(3.5) == 0.5\n"
    assert sampling.to_completion("truncate_number(1.5) == 0.5\ndef f():", problem, tests) == \
        "truncate_number(1.5) == 0.5"
