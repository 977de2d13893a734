"""Contest problems judged on standard input and output: the loaders of
CodeContests, APPS and LiveCodeBench (on project-written files in each
schema, tests/data/make_samples.py), the checker, and the judge:
every reference passes, mutants and hostile programs do not, time limits hold."""
import base64
import json
import pickle
import zlib
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from passgrid import PassgridError
from passgrid.datasets.problems import load_problems
from passgrid.evaluation import Judging, judged
from passgrid.execution.pool import Limits, calibrate
from passgrid.execution.stdio import cases, outputs_match
from passgrid.grid.schema import PromptConfig, SamplingConfig
from passgrid.sample import Sample

DATA = Path(__file__).parent / "data"
SCHEMAS = ("code_contests", "apps", "livecodebench")


def load(name: str, **settings) -> dict:
    return {p.task_id: p for p in load_problems("jsonl", path=str(DATA / f"{name}-sample.jsonl"), **settings)}


def judge(pool, problem, program, timeout_s=2.0):
    [(_, result)] = list(pool.run([(0, problem, program, asdict(Limits(timeout_s=timeout_s, memory_mb=512)))]))
    return result


def test_each_schema_is_normalized_with_its_benchmarks_ids(capfd):
    contests, apps, lcb = (load(name) for name in SCHEMAS)
    assert list(contests) == ["1000_A. Sum of pairs", "1000_B. Average", "1000_C. Big sum"]
    assert list(apps) == ["4001", "4002"] and list(lcb) == ["1873_A", "abc350_b"]
    left_out = capfd.readouterr().err
    assert "left out 1 problem(s)" in left_out and "reads or writes a named file" in left_out
    assert left_out.count("judged by calling a function") == 2
    a = contests["1000_A. Sum of pairs"]
    assert a.kind == "stdio" and a.entry_point == "" and a.time_limit_s == 2.0
    assert contests["1000_B. Average"].time_limit_s == 1.5
    assert "int main" not in a.canonical_solution and "print(a + b)" in a.canonical_solution  # Python 3's
    assert [public for *_, public in cases(a.stdio)] == [True, False, False]  # public, private, generated
    assert [public for *_, public in cases(apps["4001"].stdio)] == [False, False]  # APPS marks none public
    assert cases(apps["4002"].stdio)[0][:2] == ("3\n", "1\n2\n3\n")  # lists of lines joined
    assert cases(lcb["1873_A"].stdio)[1][:2] == ("1\n5 5\n", "10\n")  # the private tests, decoded
    assert lcb["1873_A"].contest_date.startswith("2023-08-21")


def test_a_date_window_keeps_the_contests_in_it():
    assert list(load("livecodebench", date_from="2024-01-01")) == ["abc350_b"]
    assert list(load("livecodebench", date_to="2023-12-31")) == ["1873_A"]
    with pytest.raises(PassgridError, match="no problems in the date window"):
        load("livecodebench", date_from="2030-01-01")
    with pytest.raises(PassgridError, match="has no contest_date"):
        load("apps", date_from="2024-01-01")


def test_the_hub_schemas_exact_fields_and_types_load_from_parquet(tmp_path):
    """Each sample written as the hub stores it (datasets' Features, read
    back through Parquet): the types the loader meets are the hub's."""
    datasets = pytest.importorskip("datasets")
    tests = datasets.Features({"input": datasets.Sequence(datasets.Value("string")),
                               "output": datasets.Sequence(datasets.Value("string"))})
    solutions = datasets.Features({"language": datasets.Sequence(datasets.Value("int64")),
                                   "solution": datasets.Sequence(datasets.Value("string"))})
    s, i64 = datasets.Value("string"), datasets.Value("int64")
    features = {
        "code_contests": datasets.Features({
            "name": s, "description": s, "public_tests": tests, "private_tests": tests, "generated_tests": tests,
            "source": i64, "difficulty": i64, "solutions": solutions, "incorrect_solutions": solutions,
            "cf_contest_id": i64, "cf_index": s, "cf_points": datasets.Value("float64"), "cf_rating": i64,
            "cf_tags": datasets.Sequence(s), "is_description_translated": datasets.Value("bool"),
            "untranslated_description": s, "time_limit": {"seconds": i64, "nanos": i64},
            "memory_limit_bytes": i64, "input_file": s, "output_file": s}),
        "apps": datasets.Features({"problem_id": i64, "question": s, "solutions": s, "input_output": s,
                                   "difficulty": s, "url": s, "starter_code": s}),
        "livecodebench": datasets.Features({k: s for k in (
            "question_title", "question_content", "platform", "question_id", "contest_id", "contest_date",
            "starter_code", "difficulty", "public_test_cases", "private_test_cases", "metadata")}),
    }
    for name in SCHEMAS:
        rows = [json.loads(line) for line in (DATA / f"{name}-sample.jsonl").read_text().splitlines()]
        path = tmp_path / f"{name}.parquet"
        datasets.Dataset.from_list(rows, features=features[name]).to_parquet(str(path))
        from_parquet = load_problems("disk", copy_path=str(path))
        assert from_parquet == list(load(name).values()), name


@pytest.mark.parametrize("row, message", [
    ({"problem_id": 1, "question": "q", "solutions": "[]", "input_output": "{not json"}, "input_output is not JSON"),
    ({"problem_id": 1, "question": "q", "solutions": "[]", "input_output": '{"inputs": ["1"], "outputs": []}'},
     "inputs and outputs lists of equal lengths"),
    ({"problem_id": 1, "question": "", "solutions": "[]", "input_output": '{"inputs": ["1"], "outputs": ["1"]}'},
     "no statement"),
    ({"name": "x", "description": "d", "public_tests": {"input": ["1"]}, "private_tests": None},
     "public_tests must be"),
    ({"question_id": "q", "question_content": "c", "public_test_cases": "[]",
      "private_test_cases": base64.b64encode(zlib.compress(pickle.dumps(Path("/etc")))).decode()},
     "neither JSON nor LiveCodeBench's encoding"),
])
def test_a_bad_row_is_one_line_naming_it(tmp_path, row, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(PassgridError, match=message) as e:
        load_problems("jsonl", path=str(path))
    assert "bad.jsonl: record 1" in str(e.value) and "\n" not in str(e.value)


def test_the_checker_compares_tokens_with_a_float_tolerance():
    assert outputs_match(b"3 \n7\n\n", "3\n7")  # whitespace and blank lines do not matter
    assert outputs_match(b"2.3333333333", "2.333333")  # within 1e-6
    assert not outputs_match(b"2.3334", "2.333333")
    assert not outputs_match(b"3.0", "3")  # an integer answer is exact
    assert not outputs_match(b"3\n7\n8", "3\n7")  # an extra token
    assert not outputs_match(b"nan", "1.5") and not outputs_match(b"inf", "1e308")


def test_livecodebench_is_checked_line_by_line_with_exact_decimals():
    """As its own checker: lines stripped, equal as text or as decimals."""
    assert outputs_match(b"3 \n0.50\n", "3\n0.5", "lines")  # the same decimal, written differently
    assert not outputs_match(b"3\n0.5000001", "3\n0.5", "lines")  # no tolerance
    assert outputs_match(b"3\n0.5000001", "3\n0.5", "tokens")
    assert not outputs_match(b"3 7", "3\n7", "lines")  # the lines matter
    problem = next(iter(load("livecodebench").values()))
    assert problem.stdio.checker == "lines" and json.loads(problem.tests_text)["checker"] == "lines"
    assert "checker" not in json.loads(load("code_contests")["1000_A. Sum of pairs"].tests_text)


@pytest.mark.system
def test_every_reference_passes_under_its_own_time_limit(pool):
    problems = {t: p for name in SCHEMAS for t, p in load(name).items() if p.canonical_solution}
    limit = calibrate(pool, problems, Limits())
    assert limit["1000_B. Average"] == 1.5  # the dataset's own, under the 3 s floor: its reference is fast
    for task_id, problem in problems.items():
        result = judge(pool, problem, problem.canonical_solution, timeout_s=limit[task_id])
        assert result["verdict"] == "passed", (task_id, result)
    # a right program slower than the dataset's limit (and faster than the floor) times out
    slow = ("import time\nend = time.process_time() + 1.8\nwhile time.process_time() < end:\n    pass\n"
            + problems["1000_B. Average"].canonical_solution)
    assert judge(pool, problems["1000_B. Average"], slow, timeout_s=limit["1000_B. Average"])["verdict"] == "timeout"
    # a reference too slow for the dataset's limit on this machine: factor x its time instead
    slow_reference = replace(problems["1000_B. Average"], time_limit_s=0.01, canonical_solution=slow)
    assert calibrate(pool, {"slow": slow_reference}, Limits())["slow"] >= Limits().timeout_factor * 1.8


MUTANTS = {
    "1000_A. Sum of pairs": ["t = int(input())\nfor _ in range(t - 1):\n    a, b = map(int, input().split())\n"
                             "    print(a + b)\n",  # misses the last case
                             "print(3)\nprint(7)\n"],  # right on the public test only
    "1000_B. Average": ["n = int(input())\nxs = list(map(float, input().split()))\nprint('%.2f' % (sum(xs) / n))\n"],
    "1000_C. Big sum": ["import sys\ndata = sys.stdin.buffer.read().split()\nprint(sum(map(int, data[1:-1])))\n"],
}


def test_mutants_fail(pool):
    problems = load("code_contests")
    for task_id, programs in MUTANTS.items():
        for program in programs:
            assert judge(pool, problems[task_id], program)["verdict"] == "failed", (task_id, program)


HOSTILE = {
    "prints then exits early": "import os, sys\nprint(3)\nsys.stdout.flush()\nos._exit(0)\n",
    "prints the public answer and raises": "print(3)\nprint(7)\nraise SystemExit(0)\n",
    "spins": "while True:\n    pass\n",
    "writes gigabytes": "import sys\nchunk = 'x' * (1 << 20)\nfor _ in range(4096):\n    sys.stdout.write(chunk)\n",
    "searches the disk for the tests": (
        "import glob, json, os, sys\n"
        "for path in glob.glob('/**/*sample*.jsonl', recursive=True) + glob.glob('/tmp/**/*.jsonl', recursive=True):\n"
        "    try:\n        rows = [json.loads(l) for l in open(path)]\n    except (OSError, ValueError):\n        continue\n"
        "    for row in rows:\n        for out in row.get('private_tests', {}).get('output', []):\n"
        "            print(out)\n            sys.exit(0)\n"
        "print(0)\n"),
    "reads its parent's pipes": ("import os\nfor fd in range(3, 64):\n    try:\n        print(os.read(fd, 1 << 16).decode())\n"
                                 "    except OSError:\n        pass\n"),
}


@pytest.mark.system
@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_programs_never_pass(pool, name):
    problem = load("code_contests")["1000_A. Sum of pairs"]
    result = judge(pool, problem, HOSTILE[name], timeout_s=10.0 if "disk" in name else 2.0)
    assert result["verdict"] != "passed", result
    if name == "spins":
        assert result["verdict"] == "timeout"
    if name == "writes gigabytes":
        assert result["verdict"] == "failed" and "wrote more than" in result["detail"]


def test_passgrid_evaluate_reads_a_contest_file(tmp_path):
    from passgrid.cli import main

    problems = load("code_contests")
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": t, "completion": p.canonical_solution}) + "\n"
                               for t, p in problems.items()) + json.dumps(
        {"task_id": "1000_A. Sum of pairs", "completion": "print(3)\nprint(7)\n"}) + "\n")
    main(["evaluate", str(samples), "--problem_file", str(DATA / "code_contests-sample.jsonl"), "--n_workers", "1"])
    results = [json.loads(line) for line in (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()]
    assert [r["passed"] for r in results] == [True, True, True, False]


def test_the_execution_records_of_a_stdio_run(tmp_path):
    problems = load("apps")
    samples = [Sample(task_id="4002", sample_index=0, completion=problems["4002"].canonical_solution),
               Sample(task_id="4002", sample_index=1, completion="print(1)\n")]
    records = judged(samples, problems, Judging(Limits(), 1), progress=False)
    assert [r.outcome for r in records] == ["passed", "failed"]
    assert records[1].detail == "test 1 of 2 (hidden): wrong answer"


@pytest.mark.system
def test_selection_probes_a_contest_problems_public_tests_only():
    """selected@k's probe runs the public tests alone: a program right only
    on them probes as well as the reference, and with the same outputs."""
    from passgrid.analysis import selection

    problem = load("code_contests")["1000_A. Sum of pairs"]
    assert selection.examples(problem) == [("2\n1 2\n3 4\n", "3\n7\n")]
    probe = {problem.task_id: selection.probe_problem(problem, selection.examples(problem))}
    programs = [problem.canonical_solution, "print(3)\nprint(7)\n", "print(3)\n", "while True: pass\n"]
    samples = [Sample(task_id=problem.task_id, sample_index=i, completion=c) for i, c in enumerate(programs)]
    found = [selection.read_probe(r) for r in judged(samples, probe, Judging(Limits(timeout_s=1.0), 1), progress=False)]
    assert found[0][0] == found[1][0] == 1 and found[0][1] == found[1][1]
    assert found[2][0] == 0 and found[2][1] != found[0][1]
    assert found[3] == (0, "timeout")  # it did not run through the public tests: no outputs, no vote
    assert selection.examples(load("apps")["4001"]) == []  # APPS shows no public tests: a random pick


def test_a_chat_prompt_shows_the_statement_as_text_and_completion_style_is_refused():
    from passgrid.sampling.draw import build_request

    problem = load("code_contests")["1000_A. Sum of pairs"]
    sampling = SamplingConfig(n=1, temperature=0.2, top_p=0.95, max_tokens=64, seed=0)
    chat = PromptConfig(style="chat", instruction="Solve it.")
    [message] = build_request(problem, chat, sampling).messages
    assert message["content"] == "Solve it.\n\n" + problem.prompt.strip() and "```" not in message["content"]
    with pytest.raises(PassgridError, match="prompt.style=completion: 1000_A. Sum of pairs is a stdio problem"):
        build_request(problem, PromptConfig(style="completion"), sampling)
