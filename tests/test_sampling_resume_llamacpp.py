"""A sampling job killed with SIGKILL mid-run, then rerun, ends with exactly
the samples of an uninterrupted run: none lost, none duplicated, identical
text (the real llama.cpp backend and SmolLM2)."""
import json
import signal
import subprocess
import sys
import time

from passgrid.config import compose
from passgrid.dataset import load_problems, write_problems
from passgrid.sampling import TIMING_FIELDS
from tests.conftest import CONF

SCRIPT = """
import json, sys
from passgrid.steps import sample
cfg = json.loads(sys.argv[1])
sample(sys.argv[2], cfg["model"], cfg["prompt"], cfg["sampling"], sys.argv[3], sys.argv[4], threads=2)
"""


def run_sampling(cfg, problems, shards, out, kill_after_shards=None):
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(cfg), str(problems), str(shards), str(out)],
                            stderr=subprocess.DEVNULL)
    if kill_after_shards is None:
        assert proc.wait(timeout=600) == 0
        return
    deadline = time.monotonic() + 300
    while len(list(shards.glob("*.jsonl"))) < kill_after_shards and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_killed_sampling_resumes_to_the_uninterrupted_result(tmp_path):
    # Two slots for 6 x 3 samples: problems finish one after another, so the
    # kill lands mid-run, and the rerun batches samples with other neighbours
    # than the uninterrupted run did.
    cfg = compose(CONF, ["sampling.n=3", "sampling.max_tokens=48", "sampling.temperature=0.8", "model.n_parallel=2"])
    problems = tmp_path / "problems.jsonl"
    write_problems(load_problems("package", limit=6), problems, tmp_path / "meta.json", "test")

    run_sampling(cfg, problems, tmp_path / "whole", tmp_path / "whole.jsonl")
    run_sampling(cfg, problems, tmp_path / "parts", tmp_path / "parts.jsonl", kill_after_shards=2)
    assert not (tmp_path / "parts.jsonl").exists()
    done_before = sorted(p.name for p in (tmp_path / "parts").glob("*.jsonl"))
    assert 2 <= len(done_before) < 6
    mtimes = {name: (tmp_path / "parts" / name).stat().st_mtime_ns for name in done_before}
    run_sampling(cfg, problems, tmp_path / "parts", tmp_path / "parts.jsonl")

    # finished shards were not redone
    assert all((tmp_path / "parts" / name).stat().st_mtime_ns == t for name, t in mtimes.items())
    whole = [json.loads(line) for line in (tmp_path / "whole.jsonl").read_text().splitlines()]
    parts = [json.loads(line) for line in (tmp_path / "parts.jsonl").read_text().splitlines()]
    assert len(parts) == 18
    assert [{k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in parts] == \
        [{k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in whole]
