"""passgrid's CodeT strategy against CodeT's own released procedure, on the
same executions: CodeGen-Mono 16B's 100 programs and 100 test generations
per HumanEval problem (shipped in the package), judged by passgrid, then
ranked twice: by passgrid.analysis.strategies.codet, and by CodeT's
agreement.py and evaluation.py (imported from a CodeT checkout) fed the
same results (each extracted assert passed or not by each program; an
assert passgrid does not run, not being literal, counts as failed by every
program). Prints 1@100, 2@100 and 10@100 from both, the oracle's pass@k,
how many asserts were left out, and the time each step took.

    .venv/bin/python bench/codet_agreement.py --codet-src PATH/TO/CodeT/CodeT [--limit 164] [--workers 2]
        [--cache verdicts.db]
"""
import argparse
import io
import logging
import re
import sys
import time
from importlib.resources import files

import numpy as np

from passgrid.analysis.strategies.codet import agreement_value
from passgrid.datasets.problems import load_problems
from passgrid.datasets.written_tests import extract_asserts, read_written_tests
from passgrid.evaluation import Judging, judged, strategy_pools
from passgrid.execution.limits import Limits
from passgrid.files import read_jsonl
from passgrid.literal import literal_assert
from passgrid.sampling.draw import read_samples

TRACES = files("passgrid") / "sampling" / "traces"
SUBMISSIONS = (1, 2, 10)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codet-src", required=True, help="the CodeT/ folder of a CodeT checkout (holding src/)")
    parser.add_argument("--limit", type=int, default=164, help="the first problems of HumanEval")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", default=None, help="a verdict cache (SQLite): a second run judges nothing again")
    args = parser.parse_args()
    problems = {p.task_id: p for p in load_problems("package", limit=args.limit)}
    samples = read_samples(str(TRACES / "codegen16b-humaneval.jsonl.gz"), problems)
    samples = [s for s in samples if s.task_id in problems]
    written = read_written_tests(str(TRACES / "codegen16b-humaneval-tests.jsonl.gz"),
                                 problems)
    judging = Judging(Limits(timeout_s=3.0), args.workers, args.cache)
    start = time.monotonic()
    records = judged(samples, problems, judging)
    judged_at = time.monotonic()
    pools = strategy_pools(samples, records, problems, judging, written)
    probed_at = time.monotonic()
    ours = {s: np.mean([agreement_value(list(p.written_passed) or [frozenset()] * p.n, p.correct.astype(int),
                                        p.written_weights, s) for p in pools.values()]) for s in SUBMISSIONS}
    theirs = codets_own(args.codet_src, samples, records, pools, problems, written)
    asserts, left_out = sum(w.asserts for w in written.values()), sum(w.not_literal for w in written.values())
    print(f"{len(problems)} problems, {len(samples)} programs; asserts taken {asserts}, not literal (left out) "
          f"{left_out} ({left_out / asserts:.1%}); judged in {judged_at - start:.0f} s, probes in "
          f"{probed_at - judged_at:.0f} s")
    print(f"oracle pass@1 {np.mean([p.correct.mean() for p in pools.values()]):.4f}, pass@100 "
          f"{np.mean([p.correct.any() for p in pools.values()]):.4f}")
    for s in SUBMISSIONS:
        print(f"{s}@100: passgrid {ours[s]:.4f}, CodeT's procedure {theirs[s]:.4f}, difference {ours[s] - theirs[s]:+.2e}")


def codets_own(codet_src: str, samples, records, pools, problems, written) -> dict:
    """CodeT's released ranking and evaluation, fed passgrid's executions."""
    sys.path.insert(0, codet_src)
    from src.agreement import DataManager, DualAgreement
    from src.evaluation import get_result_of_sorted_solutions

    tests_by_task = {}
    for row in read_jsonl(str(TRACES / "codegen16b-humaneval-tests.jsonl.gz")):
        if row["task_id"] in problems:
            entry = problems[row["task_id"]].entry_point
            tests_by_task[row["task_id"]] = [extract_asserts(g, entry) for g in row["samples"]]
    results, truth, place = [], [], {}
    for sample, record in zip(samples, records):
        index = place[sample.task_id] = place.get(sample.task_id, -1) + 1
        pool = pools[sample.task_id]
        tests = sorted({t for per in tests_by_task.get(sample.task_id, []) for t in per})
        position = {repr(test): i for i, test in enumerate(written[sample.task_id].tests)} \
            if sample.task_id in written else {}
        passed = pool.written_passed[index] if pool.written_passed else frozenset()
        entry = problems[sample.task_id].entry_point
        result = [position.get(repr(literal_assert(t, entry))) in passed for t in tests]
        results.append({"task_id": sample.task_id, "completion": sample.completion, "passed": True,
                        "test_cases": tests, "result": result})
        truth.append({"task_id": sample.task_id, "completion": sample.completion, "passed": record.passed})
    manager = DataManager(results, [{"task_id": s.task_id, "completion": s.completion} for s in samples],
                          tests_by_task, limit=5)
    ranked = DualAgreement(manager).get_sorted_solutions_without_iter()
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    logging.getLogger("src.evaluation").addHandler(handler)
    get_result_of_sorted_solutions(truth, ranked, topks=list(SUBMISSIONS))
    found = dict(re.findall(r"'pass@(\d+)': (?:np\.float64\()?([0-9.]+)", log.getvalue()))
    return {s: float(found[str(s)]) for s in SUBMISSIONS}


if __name__ == "__main__":
    main()
