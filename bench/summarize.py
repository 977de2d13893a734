"""The summarize job's wall time on the grid a `make run` left in results/:
its cells analysed in one process or in two, each with BLAS on one thread
(OPENBLAS_NUM_THREADS=1, as scripts/summarize.py sets it) or on every core
(the library's default). Each configuration runs in a fresh interpreter,
since BLAS reads its thread count once, when it loads.

    .venv/bin/python bench/summarize.py
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_RUN = """
import sys, tempfile, time
from pathlib import Path
from passgrid.grid.grid import Grid
from passgrid.steps import summarize
grid = Grid.expand(Path("conf"), [], "default")
out = Path(tempfile.mkdtemp())
start = time.perf_counter()
summarize(grid.cell_records(), grid.analysis, *(out / f"{name}.csv" for name in "sfcrm"), workers=int(sys.argv[1]))
print(f"{time.perf_counter() - start:.1f}")
"""


def main():
    if not (ROOT / "results" / "summary.csv").is_file():
        sys.exit("results/summary.csv: no grid here yet; run `make run` first")
    print("workers  BLAS threads  wall (s)")
    for workers in (1, 2):
        for blas in ("1", None):
            env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
            env.update({"OPENBLAS_NUM_THREADS": blas} if blas else {})
            wall = subprocess.run([sys.executable, "-c", ONE_RUN, str(workers)], cwd=ROOT, env=env, check=True,
                                  capture_output=True, text=True).stdout.strip()
            print(f"{workers:>7}  {blas or 'default':>12}  {wall:>8}")


if __name__ == "__main__":
    main()
