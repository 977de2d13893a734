"""What each part of the sandbox's isolation costs per program: a right
HumanEval/2 program judged N times through one judge worker, with every part
(allowlist+namespaces+cgroup+seccomp+rlimits), without the control group,
without the seccomp filter, and without namespaces; and, with --before SRC,
an earlier passgrid (its src/ directory) on the same machine. The
configurations take turns, round after round, and the median of the rounds
is printed: the machine's drift falls on all of them alike.

    .venv/bin/python bench/sandbox_cost.py [--programs 400] [--rounds 5] [--before SRC]
"""
import argparse
import os
import statistics
import subprocess
import sys

ONE_RUN = """
import json, sys, time
from dataclasses import asdict
from passgrid.datasets.problems import load_problems
from passgrid.execution.pool import JudgePool, Limits, build_program
problem = {p.task_id: p for p in load_problems("package")}["HumanEval/2"]
job = (0, problem, build_program(problem, "    return number % 1.0\\n"), asdict(Limits(timeout_s=3.0, memory_mb=512)))
pool = JudgePool(1)
list(pool.run([job] * 20))  # warm
start = time.perf_counter()
verdicts = {r["verdict"] for _, r in pool.run([job] * int(sys.argv[1]))}
elapsed = time.perf_counter() - start
assert verdicts == {"passed"}, verdicts
print(json.dumps({"isolation": pool.isolation, "ms": 1000 * elapsed / int(sys.argv[1])}))
pool.close()
"""
CONFIGS = {"every part": {}, "no cgroup": {"PASSGRID_NO_CGROUP": "1"}, "no seccomp": {"PASSGRID_NO_SECCOMP": "1"},
           "no namespaces": {"PASSGRID_NO_NAMESPACES": "1"}}


def run(programs: int, env: dict) -> dict:
    import json

    out = subprocess.run([sys.executable, "-c", ONE_RUN, str(programs)], capture_output=True, text=True, check=True,
                         env={**os.environ, **env})
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--programs", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", help="an earlier passgrid's src/ directory")
    args = parser.parse_args()
    configs = dict(CONFIGS)
    if args.before:
        configs["before"] = {"PYTHONPATH": args.before}
    times, levels = {name: [] for name in configs}, {}
    for _ in range(args.rounds):
        for name, env in configs.items():
            result = run(args.programs, env)
            times[name].append(result["ms"])
            levels[name] = result["isolation"]
    full = statistics.median(times["every part"])
    print(f"{args.programs} programs x {args.rounds} rounds, one worker; median ms per program")
    for name in configs:
        ms = statistics.median(times[name])
        print(f"{name:14s} {ms:6.2f} ms  ({ms - full:+.2f} ms against every part)  {levels[name]}")


if __name__ == "__main__":
    main()
