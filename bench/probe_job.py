"""The default grid's CodeGen-16B probe job run alone: each of its samples
once on its problem's shown tests and its model's written tests
(passgrid.steps.probe, 2 workers, no verdict cache), on the samples a
`make run` left in results/. Prints the wall time and the core-seconds
inside the programs' runs (each run's duration, counted once, from its
sandbox's start to its end).

    .venv/bin/python bench/probe_job.py [--limit N]   # N: the first N problems (all by default)
"""
import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from passgrid.grid.grid import Grid
from passgrid.steps import probe

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="the first LIMIT problems")
    args = parser.parse_args()
    grid = Grid.expand(ROOT / "conf", [], "default")
    cell = next(c for c in grid.cells if c.startswith("model=codegen-16b-mono"))
    samples = grid.samples_of_cell(cell)
    if not Path(samples).is_file():
        sys.exit(f"{samples}: not drawn yet; run `make run` first")
    job = grid.execute_job(cell, probe=True)
    job = replace(job, limit=args.limit or job.limit, execution=replace(job.execution, cache=None))
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        probe(grid.problems_of_cell(cell), samples, job, Path(out) / "shown.jsonl", Path(out) / "written.jsonl",
              workers=2, progress=False)
        wall = time.perf_counter() - start
        runs = {}  # one run per sample: its shown and written parts carry the same duration
        for name in ("shown.jsonl", "written.jsonl"):
            for line in (Path(out) / name).read_text().splitlines():
                row = json.loads(line)
                runs[(row["task_id"], row["sample_index"])] = row["duration_s"]
    print(f"{len(runs)} runs in {wall:.0f} s wall, {sum(runs.values()):.0f} core-seconds inside the programs' runs")


if __name__ == "__main__":
    main()
