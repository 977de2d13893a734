"""An execute job killed with SIGKILL, then rerun, does not redo the programs
it had finished (their verdicts are in the cache) and loses nothing."""
import json
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from passgrid.datasets.problems import load_problems, write_problems

pytestmark = pytest.mark.system  # a job killed mid-run

SCRIPT = """
import sys
from passgrid.grid.jobs import ExecuteJob
from passgrid.grid.schema import ExecutionConfig
from passgrid.steps import execute

execution = ExecutionConfig(memory_mb=512, workers=2, cache=sys.argv[3])
execute(sys.argv[1], sys.argv[2], ExecuteJob(execution, n=int(sys.argv[5]), limit=None, probe=False), sys.argv[4],
        progress=False)
"""


def cached_count(path) -> int:
    try:
        with sqlite3.connect(path) as db:
            return db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
    except sqlite3.Error:
        return 0


PER_PROBLEM = 120  # 1,200 programs: several of the cache's one-second commits, so the kill lands mid-run


def test_killed_execution_resumes_from_its_cache(tmp_path):
    problems = load_problems("package", limit=10)
    write_problems(problems, tmp_path / "problems.jsonl", tmp_path / "meta.json", "test")
    samples = [{"task_id": p.task_id, "sample_index": i,
                "completion": f"    _v = {i}\n" + p.canonical_solution if i % 2 else f"    return {i}\n"}
               for p in problems for i in range(PER_PROBLEM)]
    (tmp_path / "samples.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    cache, out = tmp_path / "verdicts.sqlite", tmp_path / "executions.jsonl"
    args = [sys.executable, "-c", SCRIPT, str(tmp_path / "problems.jsonl"), str(tmp_path / "samples.jsonl"),
            str(cache), str(out), str(PER_PROBLEM)]

    proc = subprocess.Popen(args)
    deadline = time.monotonic() + 120
    while cached_count(cache) < 50 and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = cached_count(cache)
    assert 50 <= before < len(samples) and not out.exists()

    subprocess.run(args, check=True)
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["task_id"], r["sample_index"]) for r in records] == [(s["task_id"], s["sample_index"]) for s in samples]
    assert sum(r["cached"] for r in records) >= before  # finished work was not redone
    assert all(r["verdict"] == ("passed" if r["sample_index"] % 2 else "failed") for r in records)
    assert cached_count(cache) == len(samples)
