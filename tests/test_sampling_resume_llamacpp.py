"""A sampling job killed with SIGKILL mid-run, then rerun, ends with exactly
the samples of an uninterrupted run: none lost, none duplicated, identical
text (the real llama.cpp backend and SmolLM2)."""
import json
import signal
import subprocess
import sys
import time
from dataclasses import replace

import pytest

from passgrid.datasets.problems import load_problems, write_problems
from passgrid.grid.compose import compose
from passgrid.sampling.draw import TIMING_FIELDS
from tests.conftest import CONF

pytestmark = pytest.mark.system  # the real model, a job killed mid-run

SCRIPT = """
import json, sys
from passgrid.datasets.problems import read_problems
from passgrid.grid.compose import compose
from passgrid.sampling.draw import draw_problems, join_samples

cfg = compose(sys.argv[5], json.loads(sys.argv[1]))
problems = list(read_problems(sys.argv[2]).values())
draw_problems(problems, cfg.model, cfg.prompt, cfg.sampling, sys.argv[3], threads=2)
join_samples(problems, cfg.model, cfg.sampling, sys.argv[3], sys.argv[4])
"""


def run_sampling(overrides, problems, shards, out, kill_after_shards=None):
    """Draws in a process of its own (to be killed), from the config the
    overrides compose."""
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, json.dumps(overrides), str(problems), str(shards),
                             str(out), str(CONF)],
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
    overrides = ["sampling.n=3", "sampling.max_tokens=48", "sampling.temperature=0.8", "model.n_parallel=2"]
    problems = tmp_path / "problems.jsonl"
    write_problems(load_problems("package", limit=6), problems, tmp_path / "meta.json", "test")

    run_sampling(overrides, problems, tmp_path / "whole", tmp_path / "whole.jsonl")
    run_sampling(overrides, problems, tmp_path / "parts", tmp_path / "parts.jsonl", kill_after_shards=2)
    assert not (tmp_path / "parts.jsonl").exists()
    done_before = sorted(p.name for p in (tmp_path / "parts").glob("*.jsonl"))
    assert 2 <= len(done_before) < 6
    mtimes = {name: (tmp_path / "parts" / name).stat().st_mtime_ns for name in done_before}
    run_sampling(overrides, problems, tmp_path / "parts", tmp_path / "parts.jsonl")

    # finished shards were not redone
    assert all((tmp_path / "parts" / name).stat().st_mtime_ns == t for name, t in mtimes.items())
    whole = [json.loads(line) for line in (tmp_path / "whole.jsonl").read_text().splitlines()]
    parts = [json.loads(line) for line in (tmp_path / "parts.jsonl").read_text().splitlines()]
    assert len(parts) == 18
    assert [{k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in parts] == \
        [{k: v for k, v in r.items() if k not in TIMING_FIELDS} for r in whole]


def _strip(rows, also=()):
    return [{k: v for k, v in r.items() if k not in TIMING_FIELDS + tuple(also)} for r in rows]


def test_a_grown_budget_equals_a_fresh_draw_at_it(tmp_path):
    """n 2 -> 3 and 2 -> 3 problems on the real backend: only the missing
    samples are drawn, and the draw equals a fresh one at the larger budget,
    sample for sample (the top-up evaluated the old problems' prompts again,
    so their prompt_tokens differ)."""
    from tests.conftest import sample_problems

    cfg = compose(CONF, ["sampling.max_tokens=32", "sampling.temperature=0.8", "model.n_parallel=4"])
    problems = load_problems("package", limit=3)
    small = replace(cfg.sampling, n=2)
    sample_problems(problems[:2], cfg.model, cfg.prompt, small, tmp_path / "grown", tmp_path / "a.jsonl",
                    threads=2, progress=False)
    counts = sample_problems(problems, cfg.model, cfg.prompt, replace(small, n=3), tmp_path / "grown",
                             tmp_path / "b.jsonl", threads=2, progress=False)
    assert counts["drawn"] == 2 * 1 + 3
    sample_problems(problems, cfg.model, cfg.prompt, replace(small, n=3), tmp_path / "fresh",
                    tmp_path / "c.jsonl", threads=2, progress=False)
    grown = [json.loads(line) for line in (tmp_path / "b.jsonl").read_text().splitlines()]
    fresh = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    assert len(grown) == 9 and _strip(grown, ["prompt_tokens"]) == _strip(fresh, ["prompt_tokens"])


def test_base_seeds_draw_independent_samples_and_a_config_draws_the_same_twice(tmp_path):
    """sampling.seed=0,1,2 at temperature 1: no (task_id, seed) pair and no
    raw reply in common; the same config twice: the same samples."""
    from tests.conftest import sample_problems

    cfg = compose(CONF, ["sampling.max_tokens=48", "sampling.temperature=1.0", "sampling.top_p=1.0",
                         "model.n_parallel=8"])
    problems = load_problems("package", limit=2)
    runs = {}
    for seed in (0, 1, 2, 0):
        out = tmp_path / f"seed{seed}-{len(runs)}.jsonl"
        sample_problems(problems, cfg.model, cfg.prompt, replace(cfg.sampling, n=4, seed=seed),
                        tmp_path / out.stem, out, threads=2, progress=False)
        runs.setdefault(seed, []).append([json.loads(line) for line in out.read_text().splitlines()])
    pairs = [{(r["task_id"], r["seed"]) for r in runs[s][0]} for s in (0, 1, 2)]
    replies = [{(r["task_id"], r["raw"]) for r in runs[s][0]} for s in (0, 1, 2)]
    for a in range(3):
        for b in range(a + 1, 3):
            assert not pairs[a] & pairs[b]
            assert not replies[a] & replies[b]
    assert _strip(runs[0][0]) == _strip(runs[0][1])
