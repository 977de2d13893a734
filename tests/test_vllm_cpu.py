"""The real vLLM engine (its CPU build, in .venv-vllm) through the whole
workflow: SmolLM2 converted from the shipped GGUF, a slice of HumanEval,
samples, verdicts, summary, report and MLflow, as the llama.cpp run checks."""
import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from passgrid.sampling.seeds import sample_seed
from tests.conftest import ROOT

pytestmark = pytest.mark.system  # the real vLLM engine

PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
MODEL = ROOT / "models" / "smollm2-135m-instruct-f32"
SLICE = (f"model=smollm2-135m-vllm model.python={PYTHON} model.hf_id={MODEL} model.max_n_per_request=3 "
         "dataset.limit=3 sampling.n=4 sampling.max_tokens=48 sampling.temperature=0.8")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    assert PYTHON.exists() and (MODEL / "passgrid-gguf.json").exists(), "`make vllm` installs vLLM and the model"
    work = tmp_path_factory.mktemp("vllm")
    run = subprocess.run([sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2",
                          "--directory", str(work), "--config", "sweep=none", f"overrides={SLICE}"],
                         capture_output=True, text=True, env={**os.environ, "VLLM_CPU_KVCACHE_SPACE": "1"})
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
    # n = 4 in requests of at most 3: each part computed or prefix-cached its prompt, counted once per part
    assert all(r["prompt_tokens"] == 0 for r in rows if r["sample_index"] not in (0, 3))


def test_verdicts_summary_report_and_mlflow(workdir):
    from mlflow.tracking import MlflowClient

    [cell] = (workdir / "results" / "runs").iterdir()
    verdicts = [json.loads(line)["verdict"] for line in (cell / "executions.jsonl").read_text().splitlines()]
    assert len(verdicts) == 12 and set(verdicts) <= {"passed", "failed", "timeout", "error", "memory"}
    summary = pd.read_csv(workdir / "results" / "summary.csv")
    assert sorted(summary["k"]) == [1, 2, 3, 4] and (summary["model.backend"] == "vllm").all()
    assert summary["pass_at_k"].between(0, 1).all()
    assert (workdir / "results" / "report" / "index.html").read_text().count("data:image/png;base64,") >= 4
    tracking = json.loads((workdir / "results" / "tracking.json").read_text())
    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    [child] = [r for r in client.search_runs([tracking["experiment_id"]])
               if r.data.tags.get("mlflow.parentRunId") == tracking["parent_run_id"]]
    assert child.data.params["model.backend"] == "vllm" and child.data.params["model.dtype"] == "float32"
    assert sorted(m.step for m in client.get_metric_history(child.info.run_id, "pass_at_k")) == [1, 2, 3, 4]
