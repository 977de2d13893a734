"""The real workflow through Snakemake, with the real llama.cpp backend and
SmolLM2 on the CPU, on a small slice of HumanEval (the `smoke` sweep)."""
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from passgrid.files import read_table
from passgrid.sampling.seeds import sample_seed
from tests.conftest import ROOT, serve

pytestmark = pytest.mark.system  # Snakemake and the real model

SNAKEMAKE = [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "--cores", "2"]


# A stronger test set for the smoke sweep's three problems: their own tests
# and one more input each.
EXTRA = {"HumanEval/0": "assert candidate([1.0, 1.05], 0.1) == True",
         "HumanEval/1": "assert candidate('(()) ()') == ['(())', '()']",
         "HumanEval/2": "assert abs(candidate(7.25) - 0.25) < 1e-9"}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    from passgrid.datasets.problems import load_problems

    work = tmp_path_factory.mktemp("grid")
    strong = work / "stronger.jsonl"
    strong.write_text("".join(json.dumps({**p.to_json(), "test": p.test + "\n_weak_check = check\n\n\n"
                                          "def check(candidate):\n    _weak_check(candidate)\n    "
                                          + EXTRA[p.task_id] + "\n"}) + "\n"
                              for p in load_problems("package", limit=3)))
    run = subprocess.run(SNAKEMAKE + ["--directory", str(work), "--config", "sweep=smoke",
                                      f"overrides=dataset.strong_tests={strong}"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]
    return work


def sampled_cells(summary):
    return summary[~summary["model.reference"]]


def test_summary_has_one_row_per_cell_and_k(workdir):
    summary = sampled_cells(read_table(workdir / "results" / "summary.csv"))
    assert summary["cell"].nunique() == 2
    assert sorted(summary["sampling.temperature"].unique()) == [0.2, 0.8]
    assert sorted(summary["k"].unique()) == [1, 2]  # n = 2: never k > n
    assert {"model.name", "dataset.limit", "sampling.n", "completion_tokens"} <= set(summary.columns)
    at_n = summary[summary["k"] == 2]  # at k = n, the cell's whole usage
    tokens = at_n["prompt_tokens"] + at_n["completion_tokens"]
    assert (at_n["flops"] == 2 * 0.135e9 * tokens).all()  # 2 x parameters x tokens computed
    assert (summary["pass_at_k_lo"] <= summary["pass_at_k"]).all()
    assert (summary["pass_at_k"] <= summary["pass_at_k_hi"]).all()
    assert (summary["strong_pass_at_k"] <= summary["pass_at_k"]).all()  # more tests pass no more programs
    # why samples fail: what keeps problems unsolved sums to 1 - pass@k; every sample has one kind
    unsolved = summary[[c for c in summary if c.startswith("unsolved_")]].sum(axis=1)
    assert (unsolved - (1 - summary["pass_at_k"])).abs().max() < 1e-9
    kinds = summary[[c for c in summary if c.startswith("samples_")]].sum(axis=1)
    assert (kinds == 6).all() and summary["distinct_programs"].between(1, 2).all()
    # submitting the first of k samples that passes the dataset's tests: right or a false pass, pass@k in all
    submitted = summary["until_weak_pass_accuracy"] + summary["false_pass_at_k"]
    assert (submitted - summary["pass_at_k"]).abs().max() < 1e-9
    assert summary["selected_at_k"].between(0, 1).all()
    assert summary["pass_at_k"].between(0, 1).all()
    for cell, rows in summary.groupby("cell"):
        per_problem = read_table(workdir / "results" / "runs" / cell / "per_problem.csv")
        assert list(per_problem.columns) == ["task_id", "n", "c"]
        assert list(per_problem["task_id"]) == ["HumanEval/0", "HumanEval/1", "HumanEval/2"]
        assert (per_problem["n"] == 2).all()
        # pass@1 is the mean of c/n over problems
        assert rows.set_index("k").loc[1, "pass_at_k"] == pytest.approx((per_problem["c"] / 2).mean())


def test_samples_are_real_model_output(workdir):
    draws = sorted(d for d in (workdir / "results" / "draws").iterdir()
                   if json.loads((d / "draw.json").read_text())["identity"]["model"]["backend"] == "llamacpp")
    assert len(draws) == 2  # one draw per temperature
    rows = [json.loads(line) for line in (draws[0] / "samples.jsonl").read_text().splitlines()]
    assert len(rows) == 6
    assert all(r["completion_tokens"] > 0 and r["latency_s"] > 0 for r in rows)
    # the prompt is evaluated once per problem, and counted once
    assert [r["prompt_tokens"] > 0 for r in rows] == [r["sample_index"] == 0 for r in rows]
    assert all(r["finish_reason"] in ("stop", "length", "answer") for r in rows)
    for r in rows:  # stopped at the answer: the reply ends with the block the program comes from
        assert r["finish_reason"] != "answer" or r["raw"].rstrip().endswith("```")
    assert [r["seed"] for r in rows[:2]] == [sample_seed(0, rows[0]["task_id"], i) for i in range(2)]
    # provenance: what drew them, with the model file's hash
    [run] = json.loads((draws[0] / "draw.json").read_text())["runs"]
    assert run["drawn"] == 6 and run["provenance"]["engine"].startswith("llama.cpp")
    assert len(run["provenance"]["model_sha256"]) == 64 and run["provenance"]["flash_attention"] is False
    cells = sorted((workdir / "results" / "runs").glob("temperature=*"))
    verdicts = [json.loads(line)["verdict"] for line in (cells[0] / "executions.jsonl").read_text().splitlines()]
    assert len(verdicts) == 6 and set(verdicts) <= {"passed", "failed", "timeout", "error", "memory"}


def test_analysis_tables_and_report(workdir):
    summary = read_table(workdir / "results" / "summary.csv")
    [reference_cell] = summary[summary["model.reference"]]["cell"].unique()
    # GPT-4's published programs, judged here: a measured reference, with its interval; GPT-4o's stays cited
    references = read_table(workdir / "results" / "references.csv").set_index("name")
    gpt4 = references.loc["GPT-4"]
    verdicts = [json.loads(line)["verdict"] for line in
                (workdir / "results" / "runs" / reference_cell / "executions.jsonl").read_text().splitlines()]
    assert len(verdicts) == 30 and gpt4["pass_at_1"] == pytest.approx(verdicts.count("passed") / 30)
    assert gpt4["kind"] == "measured" and gpt4["cell"] == reference_cell
    assert gpt4["pass_at_1_lo"] <= gpt4["pass_at_1"] <= gpt4["pass_at_1_hi"]
    assert references.loc["GPT-4o", "kind"] == "cited" and references.loc["GPT-4o", "pass_at_1"] == 0.902
    crossings = read_table(workdir / "results" / "crossings.csv")
    assert set(zip(crossings["reference"], crossings["reference_kind"])) == {("GPT-4", "measured"), ("GPT-4o", "cited")}
    # every way of picking the samples allow: SmolLM2's are drawn with their log-probabilities
    assert set(crossings["metric"]) == {"pass@k", "filter@k", "first_pass@k", "selected@k", "logprob@k"}
    assert set(crossings["cell"]) == set(sampled_cells(summary)["cell"])  # a reference does not chase itself
    assert set(read_table(workdir / "results" / "fits.csv")["cell"]) == set(summary["cell"])
    probes = (workdir / "results" / "runs").glob("temperature=*/probes.jsonl")
    assert all(len(p.read_text().splitlines()) == 6 for p in probes)  # all three problems have examples
    figures = {p.stem for p in (workdir / "results" / "report" / "figures").glob("*.png")}
    assert figures == {"answer", "pass_at_k", "cost_flops", "fits", "selection", "strong_tests", "failures", "diversity",
                       "problems"}  # CPU: no $, no GPU
    html = (workdir / "results" / "report" / "index.html").read_text()
    assert html.count("data:image/png;base64,") == len(figures)
    assert "temperature=0.2-" in html and "pass@1" in html
    assert "What drew the samples" in html and "llama.cpp (llama-cpp-python)" in html  # provenance per cell
    assert "src=\"http" not in html and "href=\"http" not in html
    assert "measured reference" in html and "GPT-4 (measured: on humaneval, 3 problems): pass@1" in html
    assert "GPT-4o (cited: on humaneval, 164 problems)" in html
    assert set(crossings.loc[crossings["reference"] == "GPT-4o", "same_problems"]) == {False}  # 3 of its 164: marked
    assert set(crossings.loc[crossings["reference"] == "GPT-4", "same_problems"]) == {True}
    assert "samples file" in html  # what drew the reference's samples
    # each strategy's pick judged by the stronger tests too: never more often right than by the dataset's
    for name in ("filter", "first_pass", "selected"):
        sampled = sampled_cells(summary)
        assert (sampled[f"strong_{name}_at_k"] <= sampled[f"{name}_at_k"] + 1e-12).all()
    # the two temperatures mixed (the reference is not a sampled configuration), at 1..4 samples in all
    mixes = read_table(workdir / "results" / "mixes.csv")
    assert set(mixes["cells"]) == {" + ".join(sampled_cells(summary)["cell"].unique())}
    assert list(mixes["total"]) == [1, 2, 3, 4]
    assert all(sum(map(int, split.split("+"))) == total for split, total in zip(mixes["split"], mixes["total"]))
    assert "Mixing configurations: at 2 samples per problem" in html


def test_mlflow_has_a_run_per_sweep_and_one_per_cell(workdir):
    from mlflow.tracking import MlflowClient

    tracking = json.loads((workdir / "results" / "tracking.json").read_text())
    client = MlflowClient(tracking_uri=f"sqlite:///{workdir / 'mlflow.db'}")
    runs = client.search_runs([tracking["experiment_id"]])
    children = [r for r in runs if r.data.tags.get("passgrid.sweep_run") == tracking["parent_run_id"]]
    assert len(runs) == 4 and len(children) == 3
    assert not any("mlflow.parentRunId" in r.data.tags for r in runs)  # none folded away from the charts
    # the UI opens it on its runs (model development), not on traces (GenAI)
    assert client.get_experiment(tracking["experiment_id"]).tags["mlflow.experimentKind"] == "custom_model_development"
    children = [c for c in children if c.data.params["model.backend"] == "llamacpp"]
    for child in children:
        history = client.get_metric_history(child.info.run_id, "pass_at_k")
        assert sorted(m.step for m in history) == [1, 2]
        assert child.data.params["sampling.n"] == "2"
        assert child.data.params["model.backend"] == "llamacpp"
        artifacts = {a.path for a in client.list_artifacts(child.info.run_id)}
        assert {"config.json", "per_problem.csv", "pass_at_k.png", "draw.json"} <= artifacts
        assert child.data.tags["passgrid.engine"].startswith("llama.cpp") and child.data.tags["passgrid.version"]
        assert sorted(m.step for m in client.get_metric_history(child.info.run_id, "pass_at_k_hi")) == [1, 2]
        assert client.get_metric_history(child.info.run_id, "selected_at_k")
        # one meaning per key: `flops` is the cost of k samples, at steps k only; the total has its own key
        flops = {m.step: m.value for m in client.get_metric_history(child.info.run_id, "flops")}
        assert sorted(flops) == [1, 2] and child.data.metrics["total_flops"] == flops[2]
    parent = tracking["parent_run_id"]
    assert client.get_run(parent).data.params["analysis.level"] == "0.95"  # grid-level settings on the parent
    assert not any(k.startswith("analysis.") for k in children[0].data.params)
    assert {"report/index.html", "report/fits.csv", "report/crossings.csv", "report/references.csv",
            "report/mixes.csv"} <= {
        a.path for a in client.list_artifacts(parent, "report")}
    figures = {a.path.removeprefix("report/figures/") for a in client.list_artifacts(parent, "report/figures")}
    assert len(figures) == 9 and {"answer.png", "pass_at_k.png", "selection.png"} <= figures


def test_rerun_has_nothing_to_do(workdir):
    dry = subprocess.run(SNAKEMAKE + ["--directory", str(workdir), "--config", "sweep=smoke",
                                      f"overrides=dataset.strong_tests={workdir / 'stronger.jsonl'}", "-n"],
                         capture_output=True, text=True, check=True)
    assert "Nothing to be done" in dry.stdout + dry.stderr


def test_bad_override_stops_the_workflow_with_one_line(tmp_path):
    run = subprocess.run(SNAKEMAKE + ["--directory", str(tmp_path), "--config", "overrides=sampling.temprature=1"],
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "passgrid: unknown config key 'sampling.temprature'" in run.stderr
    assert not (Path(tmp_path) / "results").exists()


def test_cells_that_differ_only_in_budget_share_one_draw(tmp_path):
    overrides = "sampling.n=1,3 sampling.temperature=0.8 sampling.max_tokens=48 dataset.limit=2"
    run = subprocess.run(SNAKEMAKE + ["--directory", str(tmp_path), "--config", "sweep=none", f"overrides={overrides}"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]
    assert run.stdout.count("rule sample:") + run.stderr.count("rule sample:") == 1
    [draw] = (tmp_path / "results" / "draws").iterdir()
    draw_rows = [json.loads(line) for line in (draw / "samples.jsonl").read_text().splitlines()]
    assert len(draw_rows) == 2 * 3  # drawn once, at the largest budget
    summary = read_table(tmp_path / "results" / "summary.csv")
    assert sorted(summary.groupby("cell")["k"].max()) == [1, 3]
    small = summary[summary["sampling.n"] == 1]
    small_cell = small["cell"].iloc[0]
    executions = [json.loads(line) for line in
                  (tmp_path / "results" / "runs" / small_cell / "executions.jsonl").read_text().splitlines()]
    assert [e["sample_index"] for e in executions] == [0, 0]  # the first sample of each problem
    first_tokens = sum(r["completion_tokens"] for r in draw_rows if r["sample_index"] == 0)
    assert small["completion_tokens"].iloc[0] == first_tokens  # a budget-1 cell pays for 1 sample


def test_the_published_sweep_plans_its_whole_dag_here(tmp_path):
    """`snakemake -n --config sweep=llama31_vs_gpt4o` on a machine without a GPU:
    6 cells (8B and 70B x three temperatures), each sampled in 10 shards and
    joined, executed, probed, scored."""
    dry = subprocess.run(SNAKEMAKE + ["--directory", str(tmp_path), "--config", "sweep=llama31_vs_gpt4o", "-n"],
                         capture_output=True, text=True, check=True)
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", dry.stdout, re.M))
    rules = ("sample", "join_samples", "execute", "probe", "score", "summarize", "track")
    assert {rule: counts.get(rule) for rule in rules} == {
        "sample": "60", "join_samples": "6", "execute": "6", "probe": "6", "score": "6", "summarize": "1", "track": "1"}


def test_codet_ranks_a_published_models_programs_with_its_written_tests(tmp_path):
    """CodeGen-16B's programs and its own written tests, through the grid:
    each program run once on the tests its problem shows and the written
    tests (probes.jsonl, written.jsonl: one run's two parts), and codet@k in
    the summary is CodeT's choice, at k = n exactly what the agreement gives
    on those verdicts, at k = 1 pass@1."""
    from passgrid.analysis.strategies.codet import agreement_value
    from passgrid.datasets.problems import read_problems
    from passgrid.datasets.written_tests import read_written_tests
    from passgrid.files import resolve_file
    from passgrid.verdicts import read_verdicts

    overrides = "model=codegen-16b-mono sampling.n=20 sampling.temperature=0.8 dataset.limit=4"
    run = subprocess.run(SNAKEMAKE + ["--directory", str(tmp_path), "--config", "sweep=none", f"overrides={overrides}"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-4000:]
    summary = read_table(tmp_path / "results" / "summary.csv")
    [cell] = summary["cell"].unique()
    runs = tmp_path / "results" / "runs" / cell
    problems = read_problems(next((tmp_path / "results" / "data").glob("*/problems.jsonl")))
    tests = read_written_tests(resolve_file("pkg://passgrid/sampling/traces/codegen16b-humaneval-tests.jsonl.gz", "t"),
                               problems)
    correct = {(v.task_id, v.sample_index): v.passed for v in read_verdicts(runs / "executions.jsonl")}
    written = list(read_verdicts(runs / "written.jsonl"))
    assert len(written) == len(correct) == 4 * 20 and all(v.behaviour.right for v in written if v.ran_through)
    # one run per program for the shown and the written tests (probes.jsonl, written.jsonl): one duration
    shown = {(v.task_id, v.sample_index): v.duration_s for v in read_verdicts(runs / "probes.jsonl")}
    assert len(shown) == 4 * 20 and all(shown[(v.task_id, v.sample_index)] == v.duration_s for v in written)
    values = []
    for task in dict.fromkeys(task for task, _ in correct):  # the cell's four problems
        mine = [v for v in written if v.task_id == task]
        passed = [v.behaviour.right_on if v.behaviour else frozenset() for v in mine]  # a cut-short run's answers count
        values.append(agreement_value(passed, [correct[(task, v.sample_index)] for v in mine], tests[task].weights, 1))
    last, first = summary[summary["k"] == 20].iloc[0], summary[summary["k"] == 1].iloc[0]
    assert last["codet_at_k"] == pytest.approx(np.mean(values), abs=1e-12) and last["codet_at_k_mc_error"] == 0
    assert first["codet_at_k"] == pytest.approx(first["pass_at_k"], abs=1e-12)
    assert last["codet_at_k_lo"] <= last["codet_at_k"] <= last["codet_at_k_hi"]


def test_a_cells_model_writes_tests_drawn_resumably_and_ranked_by_log_probability(tmp_path):
    """written.n: SmolLM2 writes tests for each problem, a draw of its own
    (its seed stream apart from the programs'); its literal asserts are what
    the probe runs after the shown tests. A larger written.n draws only the missing
    generations, never a program again. The programs' log-probabilities,
    recorded as they were drawn, rank them (logprob@k, on every problem)."""
    overrides = "dataset.limit=3 sampling.n=2 sampling.max_tokens=64 written.max_tokens=96"
    for n in (2, 3):
        run = subprocess.run(SNAKEMAKE + ["--directory", str(tmp_path), "--config", "sweep=none",
                                          f"overrides={overrides} written.n={n}"], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr[-4000:]
        assert run.stdout.count("rule sample:") + run.stderr.count("rule sample:") == (2 if n == 2 else 1)
    draws = {d.name: [json.loads(line) for line in (d / "samples.jsonl").read_text().splitlines()]
             for d in (tmp_path / "results" / "draws").iterdir()}
    meta = {d: json.loads((tmp_path / "results" / "draws" / d / "draw.json").read_text()) for d in draws}
    [tests] = [d for d in draws if meta[d]["identity"]["prompt"].get("writes") == "tests"]
    assert len(draws[tests]) == 3 * 3 and len(meta[tests]["runs"]) == 2  # grown by one generation per problem
    assert all(r["seed"] == sample_seed(0, f"{r['task_id']}#tests", r["sample_index"]) for r in draws[tests])
    [programs] = [d for d in draws if d != tests]
    assert len(meta[programs]["runs"]) == 1 and all(r["mean_logprob"] < 0 for r in draws[programs])
    summary = read_table(tmp_path / "results" / "summary.csv")
    last = summary[summary["written.n"] == 3].iloc[-1]
    assert last["logprob_fallback_problems"] == 0 and 0 <= last["logprob_at_k"] <= last["pass_at_k"] + 1e-12


def test_mlflow_ui_opens_the_saved_view_on_one_chart_of_every_strategy(workdir, tmp_path):
    """MLflow's own UI (its server and its page, in headless Chromium) opens
    the sweep's saved view: the sweep's cells, and one chart whose legend
    holds each cell's pass@k and every strategy it has."""
    import shutil

    from mlflow.tracking import MlflowClient

    from passgrid.tracking.view import VIEW_TAG_PREFIX, read_envelope

    tracking = json.loads((workdir / "results" / "tracking.json").read_text())
    server, url, log = serve([sys.executable, "-m", "mlflow", "server", "--backend-store-uri",
                              f"sqlite:///{workdir / 'mlflow.db'}", "--host", "127.0.0.1", "--port", "{port}"],
                             "/health", tmp_path / "mlflow.log")
    try:
        tags = MlflowClient(tracking_uri=url).get_experiment(tracking["experiment_id"]).tags
        view = read_envelope(tags[VIEW_TAG_PREFIX + tracking["view"]])
        assert view["name"] == "passgrid smoke: pass@k and the strategies"
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        assert chromium, "Chromium is needed for this test: `make test` installs Debian's chromium"
        dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=60000",
                              "--window-size=1600,1000", "--dump-dom",
                              f"{url}/{tracking['view_link']}"],
                             capture_output=True, text=True, timeout=300).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert "shared view" in dom
    summary = read_table(workdir / "results" / "summary.csv")
    charted = view["state"]["compareRunCharts"][0]["selectedMetricKeys"]
    assert {"pass_at_k", "filter_at_k", "selected_at_k", "logprob_at_k"} <= set(charted)
    for cell in tracking["cells"]:
        rows = summary[summary["cell"] == cell]
        for metric in (m for m in charted if rows[m].notna().any()):  # the strategies this cell has
            assert f"{cell} ({metric})" in dom, (cell, metric)
