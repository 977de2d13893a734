"""Peak memory of one execute step as the number of samples grows: 164
HumanEval problems x M samples (50 distinct programs per problem, repeated, as
low-temperature sampling gives), judged into an executions file by
passgrid.steps.execute, as Snakemake's execute rule runs it. Prints, for each M,
the wall time and the step's peak resident memory (its own process; the judge
workers are the same size whatever M is).

    .venv/bin/python bench/execution_memory.py [--budgets 100,1000] [--workers 2]
"""
import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from execution_vs_human_eval import make_samples

STEP = """
import resource, sys
from dataclasses import asdict
from passgrid.execution.limits import Limits
from passgrid.grid.jobs import ExecuteJob
from passgrid.steps import execute
execution = {**asdict(Limits()), "workers": int(sys.argv[4]), "cache": None}
execute(sys.argv[1], sys.argv[2], ExecuteJob(execution, n=int(sys.argv[5]), limit=None, probe=False), sys.argv[3],
        progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--budgets", default="100,1000")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    distinct = make_samples(50, 0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        problems = tmp / "problems.jsonl"
        subprocess.run([sys.executable, "-c", "import sys; from passgrid.datasets.problems import load_problems, write_problems;"
                        "write_problems(load_problems('package'), sys.argv[1], sys.argv[2], 'package')",
                        str(problems), str(tmp / "meta.json")], check=True)
        for m in (int(b) for b in args.budgets.split(",")):
            samples = tmp / f"samples-{m}.jsonl"
            with open(samples, "w") as f:
                for start in range(0, len(distinct), 50):
                    block = distinct[start:start + 50]
                    for i in range(m):
                        s = block[i % 50]
                        f.write(json.dumps({"task_id": s["task_id"], "sample_index": i,
                                            "completion": s["completion"]}) + "\n")
            began = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", STEP, str(problems), str(samples), str(tmp / f"ex-{m}.jsonl"),
                                  str(args.workers), str(m)], check=True, capture_output=True, text=True)
            wall = time.perf_counter() - began
            lines = sum(1 for _ in open(tmp / f"ex-{m}.jsonl"))
            print(f"164 x {m:5d} = {164 * m:7d} samples, {lines} records: {wall:6.1f} s, "
                  f"peak memory {int(out.stdout.split()[-1]) / 1024:6.1f} MiB")


if __name__ == "__main__":
    main()
