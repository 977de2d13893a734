"""The report, rendered from a synthetic grid, opened in a real headless browser."""
import re
import shutil
import subprocess
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from passgrid.analysis.costs import Pricing
from passgrid.analysis.crossings import crossing_rows
from passgrid.analysis.curves import cell_curves, fit_rows
from passgrid.analysis.mixing import MIX_COLUMNS, mix_rows
from passgrid.analysis.references import all_references
from passgrid.grid.schema import AnalysisConfig, ReferenceConfig
from passgrid.report.page import render_report

ANALYSIS = AnalysisConfig(level=0.95, bootstrap=200, seed=0, fit_fraction=0.25, extrapolate_to=[1000], horizon=100,
                          selection_orders=20, references=[ReferenceConfig(name="GPT-4o", pass_at_1=0.902, source="cited")])
MODEL = Pricing(gpus=1, params_b=8, price_per_gpu_hour=2.0)  # a vLLM model on one GPU
FIGURES = ["answer", "pass_at_k", "cost_usd", "cost_flops", "cost_gpu_hours", "fits", "selection", "strong_tests", "failures",
           "diversity", "problems"]
KINDS = ["wrong_answer", "syntax_error", "cut_off", "runtime_error"]


def cell_inputs(rng, m: int, n: int, skill: float):
    """A cell's counts and everything cell_curves takes beside them."""
    counts = pd.DataFrame({"task_id": [f"t/{i}" for i in range(m)], "n": n,
                           "c": rng.binomial(n, rng.beta(skill, 0.5, size=m))})
    strong = counts.assign(c=(counts["c"] * 0.9).astype(int))
    probes = pd.DataFrame([{"task_id": t, "sample_index": i, "correct": i < c, "examples_passed": int(i < c),
                            "shown_passed": i < c, "shown": True,
                            "signature": "a" * 16 if i < c else f"{i % 3}" * 16}  # output digests, as probes give them
                           for t, c in zip(counts["task_id"], counts["c"]) for i in range(n)])
    used = {"prompt_tokens": 3000, "completion_tokens": m * n * 100, "sampling_seconds": 120.0}
    outcomes = pd.DataFrame([{"task_id": t, "kind": "passed" if i < c else KINDS[(i + len(t)) % 4],
                              "program": f"{t}:{i % 5}"} for t, c in zip(counts["task_id"], counts["c"])
                             for i in range(n)])
    weak_strong = counts.assign(w=counts["c"], b=strong["c"])
    return counts, used, probes, strong, outcomes, weak_strong


def synthetic_grid(tmp_path):
    rng = np.random.default_rng(0)
    n, m = 64, 30
    frames, fitted, crossings, per_problem = [], [], [], {}
    for cell, skill in (("temperature=0.4", 0.5), ("temperature=1.0", 0.3)):
        counts, used, probes, strong, outcomes, weak_strong = cell_inputs(rng, m, n, skill)
        table, replicates = cell_curves(counts, ANALYSIS, used, MODEL, probes, strong, outcomes, weak_strong)
        frames.append(table.assign(cell=cell, n_problems=m, **used, **{"model.name": "m", "dataset.name": "d",
                                                                        "sampling.temperature": skill}))
        fitted += fit_rows(cell, table, replicates["pass_at_k"], ANALYSIS, counts, counts.assign(n=16, c=(counts["c"] // 4)))
        crossings += crossing_rows(cell, table, replicates, counts, ANALYSIS, all_references(ANALYSIS.references, []), {},
                                   {"dataset": "d", "problems": m}, used, MODEL)
        per_problem[cell] = counts
    mixes = pd.DataFrame(mix_rows({cell: per_problem[cell] for cell in ("temperature=0.4", "temperature=1.0")},
                                  ANALYSIS))
    html = render_report(pd.concat(frames), pd.DataFrame(fitted), pd.DataFrame(crossings), per_problem,
                         "test", ANALYSIS, tmp_path / "figures", mixes=mixes)
    (tmp_path / "index.html").write_text(html)
    return html


@pytest.mark.system
def test_report_has_every_figure_table_and_reading(tmp_path):
    html = synthetic_grid(tmp_path)
    assert sorted(p.stem for p in (tmp_path / "figures").glob("*.png")) == sorted(FIGURES)
    for name in FIGURES:
        caption = re.search(rf'<figure id="{name}">.*?<figcaption>(.*?)</figcaption>', html, re.S)
        assert caption and len(caption[1]) > 40, name  # a reading, not a label
    assert "GPT-4o 90.2%" in html and "k needed [interval]" in html and "best pick without an oracle" in html
    # the first sentence answers the question from the crossings, for every way of picking
    answer = re.search(r'<p class="answer">(.*?)</p>', html, re.S)[1]
    assert answer.startswith("How many samples per problem m (temperature=0.4) needs to reach each reference&#x27;s "
                             "pass@1, within the 64 it has: GPT-4o&#x27;s pass@1 (90.2%, measured on other problems): ")
    assert "with an oracle" in answer and "by a random sample passing the shown tests" in answer
    assert "&gt; 64]" in html  # an end of the interval that 64 samples do not reach, said so
    assert "US$ at k [interval]" in html
    assert "Mixing configurations: at 64 samples per problem, " in html and "for the best alone (temperature=" in html
    assert "Basis: temperature=0.4, temperature=1.0: US$2 per GPU-hour x GPU-hours" in html
    assert "2 x 8 B parameters x tokens (each prompt once per request" in html
    assert "Why samples fail" in html and "wrong answer" in html
    assert "resampling until the dataset&#x27;s tests pass is right" in html
    assert "points of weak-test inflation" in html and "points of false passes" not in html  # one name, one thing
    assert "pass@1000 (fit) [interval, if its form holds]" in html and "http" not in html.replace("http-equiv", "")  # self-contained


@pytest.mark.system
def test_report_loads_in_a_headless_browser(tmp_path):
    """Every figure decodes in Chromium (naturalWidth > 0), with no network,
    and the page is no wider than a 1300-pixel window (a wide table scrolls
    in place; the headline table needs not); the answer's figure is on the
    first screen of a 1300 x 1000 window."""
    synthetic_grid(tmp_path)
    probe = ("<script>window.addEventListener('load', () => { document.title = 'loaded:' + "
             "[...document.images].map(i => i.complete && i.naturalWidth > 0 ? 1 : 0).join('') + ':' + "
             "document.documentElement.scrollWidth + ':' + (document.querySelector('table').scrollWidth - "
             "document.querySelector('table').clientWidth) + ':' + "
             "Math.ceil(document.querySelector('#answer img').getBoundingClientRect().bottom); });</script>")
    page = tmp_path / "probe.html"
    page.write_text((tmp_path / "index.html").read_text().replace("</body>", probe + "</body>"))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed for this test: `make test` installs Debian's chromium"
    out = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          "--window-size=1300,1000",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    title = re.search(r"<title>(.*?)</title>", out.stdout)
    assert title, out.stderr[-2000:]
    loaded, width, headline_hidden, answer_bottom = title[1].rsplit(":", 3)
    assert loaded == "loaded:" + "1" * len(FIGURES) and int(width) <= 1300
    assert int(headline_hidden) == 0  # the headline table shows whole, without scrolling
    assert 0 < int(answer_bottom) <= 1000  # the answer's figure is on the first screen, whole


@pytest.mark.system
def test_a_grid_of_measured_references_only_still_has_its_curves(tmp_path):
    from passgrid.analysis.references import measured_references

    counts = pd.DataFrame({"task_id": [f"t/{i}" for i in range(10)], "n": 10, "c": list(range(10))})
    table, replicates = cell_curves(counts, ANALYSIS, {"prompt_tokens": 0, "completion_tokens": 0, "sampling_seconds": 0.0},
                              Pricing())
    summary = table.assign(cell="gpt-4", n_problems=10, **{"model.name": "GPT-4", "dataset.name": "d"})
    references = all_references(ANALYSIS.references, measured_references(summary, {"gpt-4": "GPT-4"}))
    html = render_report(summary, pd.DataFrame(fit_rows("gpt-4", table, replicates["pass_at_k"], ANALYSIS, counts)), pd.DataFrame(),
                         {"gpt-4": counts}, "refs", ANALYSIS, tmp_path / "figures", references=references)
    assert "GPT-4 (measured: on d, 10 problems): pass@1 45.0%" in html and "gpt-4 goes from 45.0% at k=1" in html


@pytest.mark.system
def test_an_all_digit_cell_id_is_read_as_text(tmp_path):
    """A single cell's id is a bare hash, all digits one time in a hundred
    (and an APPS task id always): the report job reads the results back from
    their files, its filters match, and the cell's own figure is drawn."""
    from passgrid.files import read_table
    from passgrid.grid.jobs import CellRecord
    from passgrid.steps import report

    cell = "0736072011"
    counts = pd.DataFrame({"task_id": ["4001", "4002", "0417"], "n": 4, "c": [1, 4, 0]})
    table, replicates = cell_curves(counts, ANALYSIS, {"prompt_tokens": 0, "completion_tokens": 0, "sampling_seconds": 0.0},
                              Pricing())
    files = {name: tmp_path / f"{name}.csv" for name in ("summary", "fits", "crossings", "references", "per_problem",
                                                                   "mixes")}
    table.assign(cell=cell, n_problems=3, **{"model.name": "m", "dataset.name": "d"}).to_csv(files["summary"], index=False)
    pd.DataFrame(fit_rows(cell, table, replicates["pass_at_k"], ANALYSIS, counts)).to_csv(files["fits"], index=False)
    used, model = {"prompt_tokens": 0, "completion_tokens": 0, "sampling_seconds": 0.0}, Pricing()
    pd.DataFrame(crossing_rows(cell, table, replicates, counts, ANALYSIS, all_references(ANALYSIS.references, []), {},
                               {"dataset": "d", "problems": 3}, used, model)) \
        .to_csv(files["crossings"], index=False)
    pd.DataFrame(all_references(ANALYSIS.references, [])).to_csv(files["references"], index=False)
    counts.to_csv(files["per_problem"], index=False)
    pd.DataFrame(columns=MIX_COLUMNS).to_csv(files["mixes"], index=False)  # one cell: nothing to mix
    assert read_table(files["per_problem"])["task_id"].tolist() == ["4001", "4002", "0417"]
    record = CellRecord(id=cell, config={}, flat_config={}, varying={}, samples="", draw_meta=str(tmp_path / "none"),
                        executions="", per_problem=str(files["per_problem"]), probes="", per_problem_strong=None,
                        executions_strong=None, config_json="", figure=str(tmp_path / "cell.png"), gpus=0,
                        written=None, written_tests=None, problems="")
    report(files["summary"], files["fits"], files["crossings"], files["references"], files["mixes"], [record], "one",
           ANALYSIS,
           tmp_path / "index.html", tmp_path / "figures")
    assert cell in (tmp_path / "index.html").read_text() and (tmp_path / "cell.png").stat().st_size > 1000


@pytest.mark.system
def test_a_forecast_needs_five_samples_and_a_winner_more_than_the_spread():
    """From 4 samples per problem no forecast of pass@n is made (with two, a
    power law goes through both points: R² = 1 by construction); and of two
    forecasts whose errors differ by less than their bootstrap spread, none
    is called closer."""
    from passgrid.analysis.fits import LAW
    from passgrid.analysis.forecast import BETA, ZIBETA
    from passgrid.report.readings import reading_fits

    rng = np.random.default_rng(0)
    counts = pd.DataFrame({"task_id": [f"t/{i}" for i in range(30)], "n": 16, "c": rng.binomial(16, rng.beta(1, 2, 30))})
    table, replicates = cell_curves(counts, ANALYSIS, {"prompt_tokens": 0, "completion_tokens": 0, "sampling_seconds": 0.0},
                              Pricing())
    four = counts.assign(n=4, c=np.minimum(counts["c"], 4))
    rows = pd.DataFrame(fit_rows("c", table, replicates["pass_at_k"], ANALYSIS, counts, four))
    assert "validation_predicted" not in rows
    assert "no forecast of pass@n to check (it needs at least 5 samples" in reading_fits(rows)
    close = pd.DataFrame([{"cell": "c", "fit": fit, "validation_fit_samples": 8, "validation_k": 32,
                           "validation_observed": 0.5, "validation_predicted": 0.5 + e, "validation_error": e,
                           "validation_lo": 0.5 + e - 0.05, "validation_hi": 0.5 + e + 0.05}
                          for fit, e in ((LAW, 0.02), (BETA, -0.01), (ZIBETA, 0.0))])
    assert "none is closer than the others beyond their bootstrap spread" in reading_fits(close)
    apart = close.assign(validation_error=[0.2, -0.01, 0.3], validation_predicted=[0.7, 0.49, 0.8])
    assert "closest: the Beta" in reading_fits(apart)


def test_every_summary_column_is_declared_once():
    """The summary's columns are passgrid.analysis.columns.SUMMARY (and the
    cell's config, flattened): what tracking logs and the report reads."""
    from passgrid.analysis.columns import SUMMARY, is_config

    counts, used, probes, strong, outcomes, weak_strong = cell_inputs(np.random.default_rng(1), 6, 8, 0.5)
    table, _ = cell_curves(counts, replace(ANALYSIS, bootstrap=100), used, MODEL, probes, strong, outcomes, weak_strong)
    row = table.assign(cell="c", n_problems=6, **used, **{"model.name": "m"})
    assert [c for c in row.columns if c not in SUMMARY and not is_config(c)] == []
