"""MBPP's schema: normalized into a problem whose completion is the whole
program, judged by its asserts in the trusted judge (the program never sees
them), on small files in the full and the sanitized split's schema."""
import json
import subprocess
import sys

import pytest

from passgrid import PassgridError
from passgrid.datasets.problems import load_problems
from passgrid.evaluation import Judging, judged
from passgrid.execution.pool import Limits
from passgrid.grid.schema import PromptConfig
from passgrid.sample import Sample
from passgrid.sampling.draw import to_completion
from tests.conftest import ROOT

FULL = ROOT / "tests" / "data" / "mbpp-sample.jsonl"
SANITIZED = ROOT / "tests" / "data" / "mbpp-sanitized-sample.jsonl"


def problems_of(path) -> dict:
    return {p.task_id: p for p in load_problems("jsonl", path=str(path))}


def judge(problems, programs: dict) -> dict:
    samples = [Sample(task_id=t, sample_index=0, completion=c) for t, c in programs.items()]
    records = judged(samples, problems, Judging(Limits(timeout_s=3.0), 2), progress=False)
    return {s.task_id: r.outcome for s, r in zip(samples, records)}


def test_rows_become_problems_with_the_ids_prompts_and_entry_points_users_know():
    problems = problems_of(FULL)
    assert list(problems) == ["Mbpp/901", "Mbpp/902", "Mbpp/903", "Mbpp/904", "Mbpp/905"]
    p = problems["Mbpp/902"]
    assert p.kind == "program" and p.entry_point == "circle_area"
    # the task and its first test, as the MBPP paper and EvalPlus show them
    assert p.prompt == ('"""\nWrite a function to find the area of a circle of the given radius.\n'
                           'assert math.isclose(circle_area(10), 314.15926535897927, rel_tol=1e-9)\n"""\n')
    assert "circle_area = candidate" in p.test and "import math" in p.test
    assert "circle_area(0) == 0" not in p.test  # the challenge tests are left out, as EvalPlus does
    sanitized = problems_of(SANITIZED)
    assert list(sanitized) == ["Mbpp/902", "Mbpp/904"] and "import math" in sanitized["Mbpp/902"].test


@pytest.mark.system
def test_every_reference_passes_and_mutants_fail():
    problems = problems_of(FULL)
    assert set(judge(problems, {t: p.canonical_solution for t, p in problems.items()}).values()) == {"passed"}
    mutants = {
        "Mbpp/901": "def shared_elements(a, b):\n    return tuple(set(a) | set(b))",  # union, not intersection
        "Mbpp/902": "def circle_area(r):\n    return 3.14 * r * r",  # off beyond the tolerance
        "Mbpp/903": "def sort_descending(xs):\n    xs.sort(reverse=True)\n    return xs",  # changes its argument
        "Mbpp/904": "def count_even(xs):\n    while True:\n        pass",  # spins
        "Mbpp/905": "def count_primes(n):\n    return 4",  # right on the shown test only
    }
    assert judge(problems, mutants) == {"Mbpp/901": "failed", "Mbpp/902": "failed", "Mbpp/903": "failed",
                                        "Mbpp/904": "timeout", "Mbpp/905": "failed"}


@pytest.mark.system
def test_hostile_programs_never_pass():
    problems = problems_of(FULL)
    hostile = {
        # prints what a test would, then leaves before answering
        "Mbpp/901": "import os\nprint('passed')\nos._exit(0)",
        # looks for the tests on disk and in its own process
        "Mbpp/902": ("import glob, sys\nfound = glob.glob('/**/mbpp*.jsonl', recursive=True)\n"
                     "def circle_area(r):\n    return float(len(found) + len(sys.argv))"),
        # an answer that claims to equal anything: the judge sees plain data only
        "Mbpp/903": ("class Anything(list):\n    def __eq__(self, other):\n        return True\n"
                     "def sort_descending(xs):\n    return Anything()"),
    }
    verdicts = judge(problems, hostile)
    assert "passed" not in verdicts.values(), verdicts


def test_a_chat_reply_gives_the_whole_program():
    problem = problems_of(FULL)["Mbpp/904"]
    reply = "Here:\n```python\nimport itertools\n\ndef count_even(xs):\n    return sum(x % 2 == 0 for x in xs)\n```\n"
    assert to_completion(reply, problem, PromptConfig(style="chat")) == (
        "import itertools\n\ndef count_even(xs):\n    return sum(x % 2 == 0 for x in xs)\n")


@pytest.mark.system
def test_evaluate_takes_an_mbpp_file_and_evalplus_task_ids(tmp_path):
    problems = problems_of(FULL)
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": t, "solution_ignored": 1, "completion": c}) + "\n"
                               for t, p in problems.items()
                               for c in (p.canonical_solution, "def nothing():\n    pass\n")))
    run = subprocess.run([sys.executable, "-m", "passgrid.cli", "evaluate", str(samples), "--problem_file", str(FULL),
                          "--k", "1,2"], capture_output=True, text=True, check=True)
    assert json.loads(run.stdout.strip().splitlines()[-1].replace("'", '"')) == {"pass@1": 0.5, "pass@2": 1.0}
    results = [json.loads(line) for line in (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()]
    assert [r["passed"] for r in results] == [True, False] * 5


def test_a_bad_mbpp_row_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "mbpp.jsonl"
    bad.write_text(json.dumps({"task_id": 7, "text": "t", "code": "def f():\n    return 1",
                               "test_list": ["assert g() == 1"]}) + "\n")
    with pytest.raises(PassgridError, match=r"mbpp.jsonl: record 1: the first test calls none of the reference's "
                                            r"functions \(f\)"):
        load_problems("jsonl", path=str(bad))


def test_selection_uses_the_test_shown_in_the_prompt_where_it_is_literal():
    from passgrid.analysis.selection import docstring_examples

    problems = problems_of(FULL)
    assert docstring_examples(problems["Mbpp/905"]) == [((10,), {}, 4)]  # assert count_primes(10) == 4
    assert docstring_examples(problems["Mbpp/904"]) == []  # its input is computed, not a literal: no probe


def test_a_local_copy_in_parquet_or_a_save_to_disk_folder_reads_as_the_jsonl(tmp_path):
    import datasets
    import pyarrow
    import pyarrow.parquet

    from passgrid.files import read_jsonl

    rows = list(read_jsonl(FULL))
    pyarrow.parquet.write_table(pyarrow.Table.from_pylist(rows), tmp_path / "mbpp.parquet")
    datasets.DatasetDict({"test": datasets.Dataset.from_list(rows)}).save_to_disk(str(tmp_path / "saved"))
    expected = load_problems("jsonl", path=str(FULL))
    assert load_problems("disk", copy_path=str(tmp_path / "mbpp.parquet")) == expected
    assert load_problems("disk", copy_path=str(tmp_path / "saved"), copy_split="test") == expected
    with pytest.raises(PassgridError, match=r"dataset.copy_split=None: .*saved holds the splits test"):
        load_problems("disk", copy_path=str(tmp_path / "saved"))
    (tmp_path / "not.parquet").write_text("{}")
    with pytest.raises(PassgridError, match=r"not.parquet: not a Parquet file"):
        load_problems("disk", copy_path=str(tmp_path / "not.parquet"))


@pytest.mark.system
def test_evaluate_reads_the_schema_it_is_told(tmp_path):
    samples = tmp_path / "samples.jsonl"
    samples.write_text(json.dumps({"task_id": "Mbpp/904", "completion": problems_of(FULL)["Mbpp/904"].canonical_solution})
                       + "\n")
    run = [sys.executable, "-m", "passgrid.cli", "evaluate", str(samples), "--problem_file", str(FULL), "--k", "1"]
    assert json.loads(subprocess.run(run + ["--format", "mbpp"], capture_output=True, text=True,
                                     check=True).stdout.strip().splitlines()[-1].replace("'", '"')) == {"pass@1": 1.0}
    forced = subprocess.run(run + ["--format", "humaneval"], capture_output=True, text=True)
    assert forced.returncode == 1 and "record 1: missing or empty field(s) task_id, prompt, entry_point, test" in forced.stderr
