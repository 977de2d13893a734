import json

import pytest

from passgrid import PassgridError
from passgrid.datasets.problems import load_problems, read_problems, write_problems


def test_package_humaneval_has_all_164_problems(problems):
    assert len(problems) == 164
    assert list(problems)[:2] == ["HumanEval/0", "HumanEval/1"]
    p = problems["HumanEval/0"]
    assert p.entry_point == "has_close_elements" and "def check(candidate)" in p.test


def test_limit_keeps_first_problems():
    assert [p.task_id for p in load_problems("package", limit=3)] == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]


def test_normalized_file_records_content_hash(tmp_path):
    problems = load_problems("package", limit=5)
    meta = write_problems(problems, tmp_path / "p.jsonl", tmp_path / "meta.json", "package")
    assert meta["n_problems"] == 5 and len(meta["sha256"]) == 64
    assert json.loads((tmp_path / "meta.json").read_text())["sha256"] == meta["sha256"]
    assert list(read_problems(tmp_path / "p.jsonl")) == [p.task_id for p in problems]
    # same content, same hash; other content, other hash
    again = write_problems(problems, tmp_path / "q.jsonl", tmp_path / "m2.json", "package")
    other = write_problems(problems[:4], tmp_path / "r.jsonl", tmp_path / "m3.json", "package")
    assert again["sha256"] == meta["sha256"] != other["sha256"]


def test_local_jsonl(tmp_path):
    path = tmp_path / "mine.jsonl"
    path.write_text(json.dumps({"task_id": "t/0", "prompt": "def f():\n", "entry_point": "f",
                                "test": "def check(c):\n    assert c() == 1\n"}) + "\n\n")
    [p] = load_problems("jsonl", path=str(path))
    assert p.task_id == "t/0" and p.canonical_solution == ""


@pytest.mark.parametrize("content,message", [
    ('{"task_id": "a"\n', "mine.jsonl:1: not valid JSON"),
    ('{"task_id": "a", "prompt": "x", "entry_point": "f"}\n', r"record 1: missing or empty field\(s\) test"),
    ('[1, 2]\n', "mine.jsonl:1: expected a JSON object"),
    ('{"task_id": "a", "prompt": "x", "entry_point": "f", "test": "t", "kind": "Program"}\n',
     "record 1: kind must be function or program here .* got 'Program'"),
])
def test_bad_jsonl_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "mine.jsonl"
    path.write_text(content)
    with pytest.raises(PassgridError, match=message):
        load_problems("jsonl", path=str(path))


def test_duplicate_task_id_is_refused(tmp_path):
    row = json.dumps({"task_id": "t", "prompt": "p", "entry_point": "f", "test": "t"})
    path = tmp_path / "dup.jsonl"
    path.write_text(row + "\n" + row + "\n")
    with pytest.raises(PassgridError, match="record 2: duplicate task_id 't'"):
        load_problems("jsonl", path=str(path))


@pytest.mark.system  # the hub client retries a refused connection for about 20 s
def test_unreachable_hub_gives_one_line_error(monkeypatch):
    # A real unreachable endpoint: nothing listens on port 9 of loopback.
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(PassgridError, match=r"dataset.hub_id: cannot load 'openai/openai_humaneval'") as err:
        load_problems("hub", hub_id="openai/openai_humaneval")
    assert "\n" not in str(err.value)
