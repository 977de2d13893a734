"""What a probe costs per program: the same 300 programs of HumanEval/0 run
on CodeGen-16B's 80 distinct written tests for that problem (the shipped
traces), twice, through 2 judge workers; with --before SRC, an earlier
passgrid (its src/ directory) on the same machine, for comparison.

    .venv/bin/python bench/probe_cost.py [--before SRC]
"""
import argparse
import os
import subprocess
import sys

ONE_RUN = """
import sys, time
from passgrid.analysis import selection
from passgrid.datasets.problems import load_problems
from passgrid.datasets.written_tests import read_written_tests
from passgrid.evaluation import Judging, judged
from passgrid.execution.limits import Limits
from passgrid.files import resolve_file
from passgrid.sample import Sample
problems = {p.task_id: p for p in load_problems("package")}
tests = read_written_tests(resolve_file("pkg://passgrid/sampling/traces/codegen16b-humaneval-tests.jsonl.gz", "t"),
                           problems)
task = "HumanEval/0"
probe = {task: selection.probe_problem(problems[task], list(tests[task].tests))}
samples = [Sample(task_id=task, completion=f"    return {i} < 0 and False\\n", sample_index=i) for i in range(300)]
for _ in range(2):
    start = time.perf_counter()
    judged(samples, probe, Judging(Limits(), 2), progress=False)
    print(f"{sys.argv[1]}: {1000 * (time.perf_counter() - start) / len(samples):.2f} ms per program, "
          f"{len(tests[task].tests)} inputs each")
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="an earlier passgrid's src/ directory")
    args = parser.parse_args()
    runs = [("now", None)] + ([("before", args.before)] if args.before else [])
    for label, src in runs:
        env = {**os.environ, **({"PYTHONPATH": src} if src else {})}
        subprocess.run([sys.executable, "-c", ONE_RUN, label], env=env, check=True)


if __name__ == "__main__":
    main()
