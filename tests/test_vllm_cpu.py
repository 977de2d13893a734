"""The real vLLM engine (its CPU build, in .venv-vllm) through the whole
workflow: SmolLM2 converted from the shipped GGUF, a slice of HumanEval,
samples, verdicts, summary, report and MLflow, as the llama.cpp run checks."""
import json
import os
import subprocess
import sys

import pytest

from passgrid.files import read_table
from passgrid.sampling.seeds import sample_seed
from tests.conftest import ROOT

pytestmark = pytest.mark.system  # the real vLLM engine

PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
MODEL = ROOT / "models" / "smollm2-135m-instruct-f32"
SLICE = "model=smollm2-135m-vllm dataset.limit=3 sampling.n=4 sampling.max_tokens=48 sampling.temperature=0.8"


def checkout_like(work):
    """A working directory where the shipped model config's relative paths
    (./.venv-vllm, ./models) hold, as in the checkout."""
    for name in (".venv-vllm", "models"):
        (work / name).symlink_to(ROOT / name)
    return work


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    assert PYTHON.exists() and (MODEL / "passgrid-gguf.json").exists(), "`make vllm` installs vLLM and the model"
    work = checkout_like(tmp_path_factory.mktemp("vllm"))
    run = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2",
                          "--directory", str(work), "--config", "sweep=none", f"overrides={SLICE}"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]
    return work


def test_samples_come_from_the_real_engine_along_each_problems_seed_stream(workdir):
    [draw] = (workdir / "results" / "draws").iterdir()
    rows = [json.loads(line) for line in (draw / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 12
    assert [(r["task_id"], r["sample_index"]) for r in rows] == [(f"HumanEval/{i}", j) for i in range(3) for j in range(4)]
    assert all(r["seed"] == sample_seed(0, r["task_id"], r["sample_index"]) for r in rows)
    assert all(r["completion_tokens"] > 0 and r["finish_reason"] in ("stop", "length") for r in rows)
    assert len({r["raw"] for r in rows}) > 3  # samples, not one reply repeated
    assert all(-20 < r["mean_logprob"] < 0 for r in rows)  # the engine's own log-probabilities, for the logprob strategy
    [run] = json.loads((draw / "draw.json").read_text())["runs"]
    provenance = run["provenance"]
    assert provenance["engine"] == "vLLM" and provenance["version"] == "0.32.0"
    assert provenance["options"]["dtype"] == "float32" and provenance["options"]["enforce_eager"] is True
    assert len(provenance["converted_from"]["sha256"]) == 64
    assert provenance["python"] == str(workdir / ".venv-vllm" / "bin" / "python")
    # each sample is a request: what it computed of its prompt, less the prefix-cache hits (real run: 186, 58, 58, 58)
    for task in ("HumanEval/0", "HumanEval/1", "HumanEval/2"):
        tokens = [r["prompt_tokens"] for r in rows if r["task_id"] == task]
        assert min(tokens) >= 0 and max(tokens) == tokens[0] and sum(tokens) < 4 * tokens[0]


def test_verdicts_summary_report_and_mlflow(workdir):
    from mlflow.tracking import MlflowClient

    [cell] = (workdir / "results" / "runs").iterdir()
    verdicts = [json.loads(line)["verdict"] for line in (cell / "executions.jsonl").read_text().splitlines()]
    assert len(verdicts) == 12 and set(verdicts) <= {"passed", "failed", "timeout", "error", "memory"}
    summary = read_table(workdir / "results" / "summary.csv")
    assert sorted(summary["k"]) == [1, 2, 3, 4] and (summary["model.backend"] == "vllm").all()
    assert summary["pass_at_k"].between(0, 1).all()
    assert (workdir / "results" / "report" / "index.html").read_text().count("data:image/png;base64,") >= 4
    tracking = json.loads((workdir / "results" / "tracking.json").read_text())
    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    [child] = [r for r in client.search_runs([tracking["experiment_id"]])
               if r.data.tags.get("passgrid.sweep_run") == tracking["parent_run_id"]]
    assert child.data.params["model.backend"] == "vllm" and child.data.params["model.dtype"] == "float32"
    assert sorted(m.step for m in client.get_metric_history(child.info.run_id, "pass_at_k")) == [1, 2, 3, 4]


SAMPLE = """
import sys
from passgrid.datasets.problems import load_problems
from passgrid.grid.compose import compose
from passgrid.sampling.draw import draw_problems, join_samples
cfg = compose("conf", sys.argv[1].split())
model, prompt, sampling = cfg.model, cfg.prompt, cfg.sampling
problems = load_problems("package", limit=8)
draw_problems(problems, model, prompt, sampling, sys.argv[2], progress=False)
join_samples(problems, model, sampling, sys.argv[2], sys.argv[3])
"""


def test_a_killed_draw_resumes_without_redoing_finished_problems(tmp_path):
    """The job (and its engine worker) killed once some problems are written;
    the rerun keeps them as they are and draws only the others."""
    import signal
    import time

    # one sequence at a time: problems finish one after another, so the kill lands mid-draw
    overrides = SLICE.replace("dataset.limit=3 ", "") + " model.max_num_seqs=1 sampling.n=2"
    args = [sys.executable, "-c", SAMPLE, overrides,
            str(tmp_path / "by_problem"), str(tmp_path / "samples.jsonl")]
    env = dict(os.environ)
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while len(list((tmp_path / "by_problem").glob("*.jsonl"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "by_problem").glob("*.jsonl")}
    assert 2 <= len(done) < 8 and not (tmp_path / "samples.jsonl").exists()
    subprocess.run(args, env=env, cwd=ROOT, stderr=subprocess.DEVNULL, check=True, timeout=600)
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "by_problem").glob("*.jsonl") if p.name in done} == done
    rows = [json.loads(line) for line in (tmp_path / "samples.jsonl").read_text().splitlines()]
    assert [(r["task_id"], r["sample_index"]) for r in rows] == [(f"HumanEval/{i}", j) for i in range(8) for j in range(2)]
    assert all(r["seed"] == sample_seed(0, r["task_id"], r["sample_index"]) for r in rows)


def test_the_benchs_load_runs_through_the_backend_on_the_shipped_config():
    """16 problems x 8 samples queued at once, as bench/vllm_throughput.py
    does, with the engine settings of conf/model/smollm2-135m-vllm.yaml: its
    KV cache fits the machine and no seeded prefill is split (which killed
    the engine: "CPU Generator does not use offset")."""
    run = subprocess.run([str(PYTHON), str(ROOT / "bench" / "vllm_throughput.py"), "--ways", "backend",
                          "--problems", "16", "--n", "8", "--max-tokens", "128"],
                         capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "passgrid backend" in run.stdout, run.stdout
    # what the engine took for its KV cache, as its log says: the config's 2 GiB
    assert "Explicitly set (2.0/" in run.stdout + run.stderr, (run.stdout + run.stderr)[-3000:]
