"""EvalPlus's release format (HumanEval+, MBPP+) on project-written files
(tests/data/make_samples.py): expected outputs computed by running the
reference in the sandbox, base and plus verdicts, EvalPlus's comparison."""
import json
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from passgrid import PassgridError
from passgrid.datasets.problems import load_problems, read_problems, write_problems
from passgrid.evaluation import Judging, judged, ready_problems
from passgrid.execution import wire
from passgrid.execution.pool import JudgePool, Limits
from passgrid.files import read_table
from passgrid.problem import Problem
from passgrid.sample import Sample
from passgrid.steps import prepare_strong_tests

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def plus():
    return {name: {p.task_id: p for p in ready_problems(load_problems(
        "jsonl", path=str(DATA / f"{name}-sample.jsonl")), workers=1)} for name in ("humanevalplus", "mbppplus")}


def verdicts(problems: dict, completions: list, tests: str = "test") -> list:
    on_tests = {t: replace(p, test=getattr(p, tests)) for t, p in problems.items()}
    samples = [Sample(task_id=t, sample_index=i, completion=c) for i, (t, c) in enumerate(completions)]
    return [r.outcome for r in judged(samples, on_tests, Judging(Limits(), 1), progress=False)]


def test_the_outputs_come_from_the_reference_and_both_test_sets_are_kept(plus):
    mbpp = plus["mbppplus"]
    assert list(mbpp) == ["Mbpp/3", "Mbpp/14", "Mbpp/901"] and all(p.kind == "program" for p in mbpp.values())
    assert "OUTPUTS = [4, 25]\n" in mbpp["Mbpp/901"].test  # base: the reference's answers on 10 and 100
    assert "OUTPUTS = [4, 25, 2262, 3245]\n" in mbpp["Mbpp/901"].plus_test  # and on the plus inputs
    assert mbpp["Mbpp/3"].evalplus_inputs is None  # nothing pending is left
    assert plus["humanevalplus"]["HumanEval/2"].kind == "function"  # the completion is appended to the prompt


@pytest.mark.system
def test_every_reference_passes_base_and_plus(plus):
    for problems in plus.values():
        completions = [(t, p.canonical_solution) for t, p in problems.items()]
        assert set(verdicts(problems, completions)) == {"passed"}
        assert set(verdicts(problems, completions, "plus_test")) == {"passed"}


def test_a_program_right_on_the_base_inputs_only_fails_plus(plus):
    he, mbpp = plus["humanevalplus"], plus["mbppplus"]
    weak = [("HumanEval/2", "    return round(number % 1.0, 3)\n"),
            ("Mbpp/3", "def is_not_prime(n):\n    return n in (10, 35)\n")]
    problems = {**he, **mbpp}
    assert verdicts(problems, weak) == ["passed", "passed"]
    assert verdicts(problems, weak, "plus_test") == ["failed", "failed"]


@pytest.mark.system
def test_outputs_are_compared_as_evalplus_does(plus):
    problems = {**plus["humanevalplus"], **plus["mbppplus"]}
    cases = [
        ("Mbpp/14", "def find_volume(l, b, h):\n    return l * (b * h) / 2\n", "passed"),  # floats, within 1e-7
        ("Mbpp/14", "def find_volume(l, b, h):\n    return round(l * b * h / 2, 2)\n", "failed"),
        ("Mbpp/3", "def is_not_prime(n):\n    return int(n == 1 or any(n % d == 0 for d in range(2, n)))\n",
         "timeout"),  # right but slow on 2**31 - 1
        ("HumanEval/32", "    import math\n    lo, hi = -1e3, 1e3\n    for _ in range(200):\n"  # another root
         "        mid = (lo + hi) / 2\n        if poly(xs, lo) * poly(xs, mid) <= 0: hi = mid\n"
         "        else: lo = mid\n    return hi if abs(poly(xs, 3.0)) > 1e-9 or len(xs) != 4 or xs != [-6, 11, -6, 1]"
         " else 3.0\n", "passed"),
    ]
    found = verdicts(problems, [(t, c) for t, c, _ in cases], "plus_test")
    assert found == [want for *_, want in cases]


def test_mbpp_plus_inputs_get_their_tuples_back_and_its_oracles_hold(tmp_path, capfd):
    """Mbpp/2's arguments are tuples in MBPP+ (JSON made them lists) and its
    answer is compared as a set (the reference's (8, 1), a sorted (1, 8));
    check_str's need only be None or not (the reference's regex matches are
    no plain data: every input is kept all the same)."""
    rows = [{"task_id": "Mbpp/2", "entry_point": "similar_elements", "prompt": '"""\nshared\n"""\n', "atol": 0,
             "canonical_solution": "def similar_elements(a, b):\n    assert type(a) is tuple and type(b) is tuple\n"
                                   "    return tuple(set(a) & set(b))\n",
             "base_input": [[[1, 8, 3], [8, 1, 5]]], "plus_input": [[[1, 2, 3], [3, 2, 9]]]},
            {"task_id": "Mbpp/737", "entry_point": "check_str", "prompt": '"""\nvowel first\n"""\n', "atol": 0,
             "canonical_solution": "import re\ndef check_str(s):\n    return re.search('^[aeiouAEIOU]', s)\n",
             "base_input": [["annie"], ["dawood"]], "plus_input": [["Else"]]}]
    path = tmp_path / "plus.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    problems = {p.task_id: p for p in ready_problems(load_problems("jsonl", path=str(path)), workers=1)}
    assert "left out" not in capfd.readouterr().err
    assert "OUTPUTS = [(8, 1)]" in problems["Mbpp/2"].test
    assert "OUTPUTS = [True, False, True]" in problems["Mbpp/737"].plus_test
    completions = [("Mbpp/2", "def similar_elements(a, b):\n    return tuple(sorted(x for x in a + b if x in a and x in b))\n"),
                   ("Mbpp/2", "def similar_elements(a, b):\n    return tuple(a)\n"),
                   ("Mbpp/737", "def check_str(s):\n    return 'Valid' if s[0] in 'aeiouAEIOU' else None\n"),
                   ("Mbpp/737", "def check_str(s):\n    return 'Valid'\n"),
                   ("Mbpp/737", "def check_str(s):\n    return None\n"),
                   ("Mbpp/737", "import re\ndef check_str(s):\n    return re.match('[aeiouAEIOU]', s)\n")]  # as the reference
    assert verdicts(problems, completions, "plus_test") == ["passed", "failed", "passed", "failed", "failed", "passed"]
    reread = read_problems(_written(problems, tmp_path))  # the normalized file keeps what is judged of the answer
    assert reread["Mbpp/737"].answer == "is_not_none" and reread["Mbpp/2"].answer is None


def _written(problems: dict, tmp_path) -> Path:
    write_problems(list(problems.values()), tmp_path / "problems.jsonl", tmp_path / "meta.json", "test")
    return tmp_path / "problems.jsonl"


def test_a_tolerance_never_broadcasts(tmp_path):
    """EvalPlus's allclose would find [[]] close to any one-element list of
    floats: shapes must be equal before any tolerance."""
    row = {"task_id": "Mbpp/9001", "entry_point": "halves", "prompt": '"""\nhalves\n"""\n', "atol": 0,
           "canonical_solution": "def halves(n):\n    return [n / 2]\n", "base_input": [[3]], "plus_input": [[5]]}
    path = tmp_path / "plus.jsonl"
    path.write_text(json.dumps(row) + "\n")
    problems = {p.task_id: p for p in ready_problems(load_problems("jsonl", path=str(path)), workers=1)}
    completions = [("Mbpp/9001", "def halves(n):\n    return [[]]\n"),
                   ("Mbpp/9001", "def halves(n):\n    return [n / 2 + 1e-9]\n")]
    assert verdicts(problems, completions, "plus_test") == ["failed", "passed"]


def test_the_references_outputs_are_kept_in_the_cache(tmp_path, monkeypatch):
    """With a cache (`passgrid evaluate --cache`), a second run reads the
    reference's outputs instead of running it again, and writes the same tests."""
    path = str(DATA / "mbppplus-sample.jsonl")
    first = ready_problems(load_problems("jsonl", path=path), workers=1, cache_path=tmp_path / "cache.db")

    def run(self, jobs):
        assert not list(jobs), "the reference ran again"
        return iter(())

    monkeypatch.setattr(JudgePool, "run", run)
    assert ready_problems(load_problems("jsonl", path=path), workers=1, cache_path=tmp_path / "cache.db") == first


def test_an_input_the_reference_fails_on_is_left_out_and_counted(tmp_path, capfd):
    row = {"task_id": "Mbpp/1", "entry_point": "inverse", "prompt": '"""\ninverse\n"""\n', "atol": 0,
           "canonical_solution": "def inverse(x):\n    return 1 / x\n", "base_input": [[2], [0]], "plus_input": [[4]]}
    path = tmp_path / "plus.jsonl"
    path.write_text(json.dumps(row) + "\n")
    [problem] = ready_problems(load_problems("jsonl", path=str(path)), workers=1)
    assert "INPUTS = [[2]]\n" in problem.test and "INPUTS = [[2], [4]]\n" in problem.plus_test
    assert "left out 1 EvalPlus input(s) on which the reference solution raised or ran out of time: Mbpp/1 (1)" \
        in capfd.readouterr().err


@pytest.mark.parametrize("solution, message", [
    ("def inverse(x):\n    return 1 / (x - x)\n", "Mbpp/1: the reference solution gave an output on none of the 2 base"),
    ("def inverse(x) return\n", "Mbpp/1: the reference solution gave no outputs .error: reference: "),
    ("import os\ndef inverse(x):\n    os._exit(3)\n", "Mbpp/1: the reference solution gave no outputs .error"),
])
def test_a_reference_that_gives_no_outputs_is_an_error_naming_its_task(tmp_path, solution, message):
    """A problem whose reference fails everywhere would otherwise get tests
    that test nothing, and pass every sample."""
    row = {"task_id": "Mbpp/1", "entry_point": "inverse", "prompt": '"""\ninverse\n"""\n', "atol": 0,
           "canonical_solution": solution, "base_input": [[2], [0]], "plus_input": [[4]]}
    path = tmp_path / "plus.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(PassgridError, match=message):
        ready_problems(load_problems("jsonl", path=str(path)), workers=1)


@pytest.mark.system
def test_a_reference_has_the_time_limit_on_each_input_not_on_all_together():
    """Its child's CPU limit covers every call: ten calls of 0.6 s CPU each
    outlast one call's limit (3 s, on a loaded machine too) and all get outputs."""
    problem = Problem("Mbpp/1", "", "spin", kind="program")
    program = ("import time\ndef spin(x):\n    end = time.process_time() + 0.6\n"
               "    while time.process_time() < end:\n        pass\n    return x\n")
    pool = JudgePool(1)
    try:
        limits = {**asdict(Limits()), "timeout_s": 3.0}
        [(_, result)] = pool.run([("Mbpp/1", problem, program, limits, None, [wire.encode([i]) for i in range(10)])])
    finally:
        pool.close()
    assert result["verdict"] == "passed" and result["outputs"] == [{"value": wire.encode(i)} for i in range(10)], result


@pytest.mark.parametrize("change, message", [
    ({"base_input": "[[1]]"}, "base_input must be a list of argument lists"),
    ({"plus_input": [1, 2]}, "plus_input must be a list of argument lists"),
    ({"atol": -1}, "atol must be a number >= 0"),
    ({"entry_point": ""}, "needs entry_point"),
])
def test_a_bad_row_is_one_line(tmp_path, change, message):
    row = {**json.loads((DATA / "mbppplus-sample.jsonl").read_text().splitlines()[0]), **change}
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row) + "\n")
    with pytest.raises(PassgridError, match=message) as e:
        load_problems("jsonl", path=str(path))
    assert "bad.jsonl: record 1" in str(e.value)


@pytest.mark.system
def test_evaluate_reports_base_and_plus(tmp_path):
    from passgrid.cli import evaluate

    rows = [{"task_id": "HumanEval/2", "completion": "    return number % 1.0\n"},
            {"task_id": "HumanEval/2", "completion": "    return round(number % 1.0, 3)\n"}]
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows))
    scores = evaluate(str(samples), [1], str(DATA / "humanevalplus-sample.jsonl"), workers=1)
    assert scores == {"pass@1": 1.0, "plus_pass@1": 0.5}
    results = [json.loads(line) for line in (tmp_path / "samples.jsonl_results.jsonl").read_text().splitlines()]
    assert [(r["passed"], r["plus_passed"]) for r in results] == [(True, True), (True, False)]


@pytest.mark.system
def test_evalplus_samples_with_whole_solutions_evaluate_unchanged(tmp_path, plus):
    """EvalPlus's samples files carry `solution`, the whole program, for
    HumanEval+ (the prompt's function, written out) and MBPP+ alike."""
    from passgrid.cli import evaluate

    he = plus["humanevalplus"]["HumanEval/2"]
    rows = [{"task_id": "HumanEval/2", "solution": he.prompt + he.canonical_solution},
            {"task_id": "HumanEval/2", "solution": "def truncate_number(number):\n    return round(number % 1.0, 3)\n"},
            {"task_id": "Mbpp/3", "solution": plus["mbppplus"]["Mbpp/3"].canonical_solution},
            {"task_id": "Mbpp/3", "solution": "def is_not_prime(n):\n    return n in (10, 35)\n"}]
    for name, task_rows in (("humanevalplus", rows[:2]), ("mbppplus", rows[2:])):
        samples = tmp_path / f"{name}.jsonl"
        samples.write_text("".join(json.dumps(r) + "\n" for r in task_rows))
        problems = tmp_path / f"{name}-problems.jsonl"
        problems.write_text("".join(line + "\n" for line in (DATA / f"{name}-sample.jsonl").read_text().splitlines()
                                    if json.loads(line)["task_id"] in {r["task_id"] for r in task_rows}))
        assert evaluate(str(samples), [1], str(problems), workers=1) == {"pass@1": 1.0, "plus_pass@1": 0.5}, name


def test_humaneval_plus_as_stronger_tests_for_humaneval(tmp_path, plus):
    """dataset.strong_tests = an EvalPlus file: HumanEval's own tests against
    HumanEval+'s base + plus inputs, for the same problems."""
    humaneval = [p for p in load_problems("package") if p.task_id in plus["humanevalplus"]]
    write_problems(humaneval, tmp_path / "problems.jsonl", tmp_path / "meta.json", "three of HumanEval")
    prepare_strong_tests(str(DATA / "humanevalplus-sample.jsonl"), tmp_path / "problems.jsonl",
                         tmp_path / "strong.jsonl", tmp_path / "strong.json")
    strong = read_problems(tmp_path / "strong.jsonl")
    assert [p.test for p in strong.values()] == [p.plus_test for p in plus["humanevalplus"].values()]
    assert [p.prompt for p in strong.values()] == [p.prompt for p in humaneval]
    # and `plus`: an EvalPlus dataset judged on its own plus tests
    write_problems(list(plus["mbppplus"].values()), tmp_path / "mbpp.jsonl", tmp_path / "mbpp.json", "MBPP+")
    prepare_strong_tests("plus", tmp_path / "mbpp.jsonl", tmp_path / "mbpp-strong.jsonl", tmp_path / "m.json")
    assert [p.test for p in read_problems(tmp_path / "mbpp-strong.jsonl").values()] == \
        [p.plus_test for p in plus["mbppplus"].values()]


@pytest.mark.system  # Snakemake
def test_a_grid_on_humaneval_plus_gives_base_and_plus_and_the_weak_strong_figure(tmp_path):
    """GPT-4's published programs (the shipped traces) on the HumanEval+
    sample, with strong_tests=plus: summary.csv has pass@k on base and
    strong_pass_at_k on plus, and the report draws the gap."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    overrides = (f"dataset=jsonl dataset.name=humanevalplus-sample dataset.path={DATA / 'humanevalplus-sample.jsonl'} "
                 "dataset.strong_tests=plus model=gpt-4-traces sampling.n=10 sampling.temperature=0.2")
    run = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2",
                          "--directory", str(tmp_path), "--config", "sweep=none", f"overrides={overrides}"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]
    summary = read_table(tmp_path / "results" / "summary.csv")
    first = summary[summary["k"] == 1].iloc[0]
    assert 0 < first["strong_pass_at_k"] < first["pass_at_k"] <= 1  # plus lets fewer of GPT-4's programs through
    assert (tmp_path / "results" / "report" / "figures" / "strong_tests.png").stat().st_size > 0


def test_an_mbpp_plus_hub_row_keeps_its_plus_test(tmp_path):
    """The hub's evalplus/mbppplus rows: MBPP's fields plus `test`, code that
    calls the function by name on the plus inputs (its exact field names)."""
    code = "def is_not_prime(n):\n    return n == 1 or any(n % d == 0 for d in range(2, int(n ** 0.5) + 1))\n"
    row = {"task_id": 3, "code": code, "prompt": "Write a python function to identify non-prime numbers.",
           "source_file": "Benchmark Questions Verification V2.ipynb", "test_imports": [],
           "test_list": ["assert is_not_prime(2) == False", "assert is_not_prime(10) == True"],
           # the hub's form: EvalPlus's comparison inlined, then the plus inputs and the reference's results
           "test": "import numpy as np\n\ndef is_floats(x) -> bool:\n    if isinstance(x, float):\n        return True\n"
                   "    return isinstance(x, (list, tuple)) and bool(x) and all(isinstance(i, float) for i in x)\n\n"
                   "def assertion(out, exp, atol):\n    exact_match = out == exp\n"
                   "    if atol == 0 and is_floats(exp):\n        atol = 1e-6\n"
                   "    if not exact_match and atol != 0:\n        assert np.allclose(out, exp, rtol=1e-07, atol=atol)\n"
                   "    else:\n        assert exact_match\n\n"
                   "inputs = [[1], [7919], [7917]]\nresults = [True, False, True]\n"
                   "for i, (inp, exp) in enumerate(zip(inputs, results)):\n    assertion(is_not_prime(*inp), exp, 0)\n"}
    path = tmp_path / "mbppplus-hub.jsonl"
    path.write_text(json.dumps(row) + "\n")
    [problem] = load_problems("jsonl", path=str(path))
    assert problem.task_id == "Mbpp/3" and problem.plus_test
    problems = {"Mbpp/3": problem}
    weak = "def is_not_prime(n):\n    return n % 2 == 0 and n > 2\n"  # right on the base tests only
    assert verdicts(problems, [("Mbpp/3", code), ("Mbpp/3", weak)]) == ["passed", "passed"]
    assert verdicts(problems, [("Mbpp/3", code), ("Mbpp/3", weak)], "plus_test") == ["passed", "failed"]


@pytest.mark.system
def test_the_adversarial_suite_never_passes_the_plus_tests(plus):
    """The sandbox's tricks (tests/test_sandbox_adversarial.py), each a
    completion for HumanEval/2, against its EvalPlus tests: none passes."""
    from tests.test_sandbox_adversarial import TRICKS

    problems = plus["humanevalplus"]
    tricks = [name for name in TRICKS if name not in ("eats memory", "fork bomb", "huge file")]  # the slow ones
    found = verdicts(problems, [("HumanEval/2", TRICKS[name]) for name in tricks], "plus_test")
    assert [name for name, v in zip(tricks, found) if v == "passed"] == []
