import os
import time

import pytest

from passgrid.execution import Limits, build_program, execute_samples, run_program

LIMITS = Limits(timeout_s=2.0, memory_mb=512)


def verdict_of(problem, completion, limits=LIMITS):
    return run_program(build_program(problem, completion), problem, limits)


def test_all_canonical_solutions_pass(problems):
    samples = [{"task_id": t, "completion": p["canonical_solution"], "sample_index": 0} for t, p in problems.items()]
    records = execute_samples(samples, problems, Limits(), workers=2, progress=False)
    failing = [(r["task_id"], r["verdict"], r["detail"]) for r in records if r["verdict"] != "passed"]
    assert failing == []


@pytest.mark.parametrize("body,verdict", [
    ("    return True\n", "failed"),
    ("    return undefined_name\n", "error"),
    ("    retur 1\n", "error"),
    ("    while True:\n        pass\n", "timeout"),
    ("    x = [0] * (10 ** 10)\n", "memory"),
    ("    raise SystemExit(0)\n", "error"),
    ("    import os; os._exit(0)\n", "error"),
    ("    import os, signal; os.kill(os.getpid(), signal.SIGSEGV)\n", "error"),
])
def test_verdicts_form_a_small_closed_set(problems, body, verdict):
    assert verdict_of(problems["HumanEval/0"], body)["verdict"] == verdict


def test_exit_at_import_time_is_not_a_pass(problems):
    completion = "    return True\nimport sys\nsys.exit(0)\n"
    assert verdict_of(problems["HumanEval/0"], completion)["verdict"] == "error"


def test_timeout_kills_the_whole_process_group(problems, tmp_path):
    marker = tmp_path / "child-alive"
    body = ("    import os, time\n    if os.fork() == 0:\n        time.sleep(3)\n"
            f"        open({str(marker)!r}, 'w').write('x')\n        os._exit(0)\n    while True: pass\n")
    start = time.monotonic()
    assert verdict_of(problems["HumanEval/0"], body, Limits(timeout_s=1.0))["verdict"] == "timeout"
    assert time.monotonic() - start < 5
    time.sleep(3.5)
    assert not marker.exists()


def test_environment_is_scrubbed(problems, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret")
    body = "    import os\n    assert 'OPENAI_API_KEY' not in os.environ\n    return True\n"
    # check() fails on `return True`, but only after the assertion about the environment held
    assert verdict_of(problems["HumanEval/0"], body)["verdict"] == "failed"


def test_program_runs_in_a_throwaway_directory(problems):
    body = "    import os\n    open('scratch.txt', 'w').write('x')\n    return os.getcwd()\n"
    before = set(os.listdir("."))
    verdict_of(problems["HumanEval/0"], body)
    assert set(os.listdir(".")) == before


def test_identical_programs_run_once(problems, monkeypatch):
    import passgrid.execution as execution

    calls = []
    real = execution.run_program
    monkeypatch.setattr(execution, "run_program", lambda *a: calls.append(a) or real(*a))
    p = problems["HumanEval/0"]
    samples = [{"task_id": "HumanEval/0", "completion": p["canonical_solution"], "sample_index": i} for i in range(5)]
    samples.append({"task_id": "HumanEval/0", "completion": "    return True\n", "sample_index": 5})
    records = execute_samples(samples, problems, LIMITS, workers=2, progress=False)
    assert len(calls) == 2
    assert [r["verdict"] for r in records] == ["passed"] * 5 + ["failed"]
    assert [r["sample_index"] for r in records] == list(range(6))
