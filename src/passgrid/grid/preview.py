"""What a grid will cost before it runs: samples, executions, GPU-hours."""
from dataclasses import asdict

from passgrid.datasets import source_class
from passgrid.grid.grid import Grid
from passgrid.grid.ids import dataset_id
from passgrid.sampling.backends import backend_class


def selected(total, limit):
    """Problems a limit selects of a dataset of `total` (None: only a remote
    knows; then the limit, which may be None too)."""
    if total is None:
        return limit
    return min(total, limit) if limit else total


def plan(grid: Grid) -> list:
    """One row per draw (cells sharing samples count once): its cells,
    samples, executions (an upper bound: identical programs run once),
    shards, and GPU-hours at max_tokens per sample (an upper bound), in all
    and for its largest shard (its wall-clock hours on its GPUs), where the
    model config gives a throughput and its backend takes GPUs."""
    rows, totals = [], {}
    for draw in grid.draws.values():
        c = draw.config
        key = dataset_id(c.dataset)
        if key not in totals:
            totals[key] = source_class(c.dataset.source).count(asdict(c.dataset))
        problems = selected(totals[key], draw.limit)
        cells = [grid.cells[cid].config for cid in draw.cells]
        # a tests draw's generations are parsed, not judged: its cells' programs count once, with their own draw
        executions = 0 if c.prompt.writes == "tests" else \
            sum((selected(totals[key], cell.dataset.limit) or 0) * cell.sampling.n for cell in cells)
        model, backend = c.model, backend_class(c.model.backend)
        gpus, tokens_per_s = backend.gpus(model), backend.tokens_per_s(model)
        samples = (problems or 0) * draw.n
        largest_shard = -(-(problems or 0) // draw.shards) * draw.n  # shard_of deals problems round-robin

        def hours(count):
            return count * c.sampling.max_tokens / tokens_per_s * gpus / 3600 if tokens_per_s and gpus else None

        rows.append({"draw": draw.id, "writes": c.prompt.writes, "cells": list(draw.cells), "model": model.name,
                     "problems": problems,
                     "n": draw.n, "samples": samples, "executions": executions, "gpus": gpus,
                     "shards": draw.shards, "gpu_hours": hours(samples), "gpu_hours_per_shard": hours(largest_shard)})
    return rows
