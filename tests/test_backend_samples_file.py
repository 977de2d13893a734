"""Samples from elsewhere: the shipped humaneval-results traces read as a
draw, in the file's order, checked, and recorded with the file's hash."""
import gzip
import json
from dataclasses import replace

import pytest

from passgrid import PassgridError
from passgrid.files import file_sha256, read_jsonl
from passgrid.grid.compose import compose
from passgrid.sample import read_sample_file
from tests.conftest import CONF, TRACES, sample_problems


def traces_of(model: str) -> dict:
    rows = {}
    for r in read_jsonl(TRACES):
        if r["model"] == model:
            rows.setdefault(r["task_id"], []).append(r)
    return {t: [r["completion"] for r in sorted(found, key=lambda r: r["run"])] for t, found in rows.items()}


def test_a_draw_from_the_traces_is_the_files_samples_in_run_order(tmp_path, problems):
    cfg = compose(CONF, ["model=gpt-4-traces", "sampling.n=10", "sampling.temperature=0.2"])
    chosen = [problems[f"HumanEval/{i}"] for i in range(3)]
    counts = sample_problems(chosen, cfg.model, cfg.prompt, cfg.sampling, tmp_path / "p",
                             tmp_path / "samples.jsonl", progress=False)
    rows = list(read_sample_file(tmp_path / "samples.jsonl"))
    expected = traces_of("gpt-4")
    assert [r.completion for r in rows] == [c for i in range(3) for c in expected[f"HumanEval/{i}"]]
    assert all(r.seed is None for r in rows)  # passgrid did not draw them
    assert [r.sample_index for r in rows[:10]] == list(range(10))
    provenance = counts["provenance"]
    assert provenance["samples_sha256"] == file_sha256(TRACES) and provenance["samples_model"] == "gpt-4"
    assert provenance["rows"] == 1640
    # a larger budget reads the next samples of the file, and there are none
    with pytest.raises(PassgridError, match=r"humaneval-results-traces.jsonl.gz: HumanEval/0 has 10 samples of "
                                            r"model 'gpt-4'; the draw asks for 11 \(sampling.n\)"):
        sample_problems(chosen, cfg.model, cfg.prompt, replace(cfg.sampling, n=11), tmp_path / "p",
                        tmp_path / "more.jsonl", progress=False)


def test_a_bad_samples_file_is_one_line_naming_file_and_line(tmp_path, problems):
    bad = tmp_path / "samples.jsonl.gz"
    with gzip.open(bad, "wt") as f:
        f.write(json.dumps({"task_id": "HumanEval/0", "completion": "    return 1\n"}) + "\n")
        f.write(json.dumps({"task_id": "HumanEval/0"}) + "\n")
    cfg = compose(CONF, ["model=gpt-4-traces", f"model.samples_path={bad}", "model.samples_model=null"])
    with pytest.raises(PassgridError, match=r"samples.jsonl.gz:2: a sample needs string fields task_id and completion"):
        sample_problems([problems["HumanEval/0"]], cfg.model, cfg.prompt, cfg.sampling, tmp_path / "p",
                        tmp_path / "o.jsonl", progress=False)
    with pytest.raises(PassgridError, match=r"model.samples_path='/no/such.jsonl': no file at /no/such.jsonl"):
        compose(CONF, ["model=gpt-4-traces", "model.samples_path=/no/such.jsonl"])


@pytest.mark.system
@pytest.mark.parametrize("rows,message", [
    ([{"model": "a"}, {"model": "b"}], r"holds samples of 2 models \(a, b\); choose one with model.samples_model"),
    ([{"run": 1}, {"run": 1}], r"samples.jsonl:3: HumanEval/0 has run 1 again \(first on line 1\)"),
    ([{"run": 1}, {}], r"samples.jsonl:3: some samples give a run and some do not"),
    ([{"run": "1"}], r"samples.jsonl:1: run must be an integer, got '1'"),
    ([{"mean_logprob": -0.5}, {"mean_logprob": "high"}], r"samples.jsonl:3: mean_logprob must be a finite number"),
    ([{"prompt_tokens": 3}, {"prompt_tokens": -1}], r"samples.jsonl:3: prompt_tokens must be a count of tokens, got -1"),
])
def test_a_samples_file_that_would_mix_or_repeat_samples_is_refused(tmp_path, problems, rows, message):
    path = tmp_path / "samples.jsonl"
    path.write_text("\n\n".join(json.dumps({"task_id": "HumanEval/0", "completion": "    return 1\n", **r})
                                for r in rows) + "\n")  # a blank line between: line numbers are the file's
    cfg = compose(CONF, ["model=gpt-4-traces", f"model.samples_path={path}", "model.samples_model=null"])
    with pytest.raises(PassgridError, match=message):
        sample_problems([problems["HumanEval/0"]], cfg.model, cfg.prompt, replace(cfg.sampling, n=1),
                        tmp_path / "p", tmp_path / "o.jsonl", progress=False)


def test_a_files_log_probabilities_are_kept_for_the_logprob_strategy(tmp_path, problems):
    path = tmp_path / "samples.jsonl"
    path.write_text("".join(json.dumps({"task_id": "HumanEval/0", "completion": f"    return {i}\n",
                                        **({"mean_logprob": -0.1 * (i + 1)} if i else {})}) + "\n" for i in range(3)))
    cfg = compose(CONF, ["model=gpt-4-traces", f"model.samples_path={path}", "model.samples_model=null"])
    sample_problems([problems["HumanEval/0"]], cfg.model, cfg.prompt, replace(cfg.sampling, n=3), tmp_path / "p",
                    tmp_path / "o.jsonl", progress=False)
    assert [s.mean_logprob for s in read_sample_file(tmp_path / "o.jsonl")] == [None, -0.2, pytest.approx(-0.3)]
