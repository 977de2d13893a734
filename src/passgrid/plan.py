"""What a grid will cost before it runs: samples, executions, GPU-hours."""
from pathlib import Path

from passgrid.config import draw_id


def problem_count(dataset: dict):
    """Problems a dataset config selects, or None where only the hub knows."""
    if dataset["source"] == "package":
        from passgrid.dataset import load_problems

        total = len(load_problems("package"))
    elif dataset["source"] == "jsonl" and dataset.get("path") and Path(dataset["path"]).is_file():
        total = sum(1 for line in open(dataset["path"], encoding="utf-8") if line.strip())
    else:
        return dataset.get("limit")
    return min(total, dataset["limit"]) if dataset.get("limit") else total


def plan(cells: list) -> list:
    """One row per draw (cells sharing samples count once): its cells,
    samples, executions (an upper bound: identical programs run once) and
    GPU-hours at max_tokens per sample (an upper bound), where the model
    config gives a throughput."""
    rows, counts = {}, {}
    for cell in cells:
        c = cell.config
        key = draw_id(c)
        dataset_key = repr(sorted(c["dataset"].items()))
        if dataset_key not in counts:
            counts[dataset_key] = problem_count(c["dataset"])
        problems = counts[dataset_key]
        row = rows.setdefault(key, {"draw": key, "cells": [], "model": c["model"]["name"], "problems": problems,
                                    "n": 0, "executions": 0})
        row["cells"].append(cell.id)
        row["n"] = max(row["n"], c["sampling"]["n"])
        row["executions"] += (problems or 0) * c["sampling"]["n"]
        model, tokens_per_s = c["model"], c["model"].get("est_tokens_per_s")
        row["samples"] = (problems or 0) * row["n"]
        row["gpu_hours"] = (row["samples"] * c["sampling"]["max_tokens"] / tokens_per_s * model["tensor_parallel_size"]
                            / 3600 if tokens_per_s and model["backend"] == "vllm" else None)
    return list(rows.values())
