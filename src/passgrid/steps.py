"""The pipeline's steps as plain functions of paths and config dicts.

Snakemake's scripts and the `passgrid` CLI both call these, so every step
also runs without Snakemake. No step reads a config file: values come in as
arguments.
"""
import itertools
import json
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from passgrid import PassgridError
from passgrid.analysis import costs, selection
from passgrid.analysis.columns import FIRST
from passgrid.analysis.costs import Pricing
from passgrid.analysis.crossings import crossing_rows
from passgrid.analysis.curves import MIN_FORECAST_SAMPLES, cell_curves, fit_rows
from passgrid.analysis.mixing import MIX_COLUMNS, mix_rows
from passgrid.analysis.references import REFERENCE_COLUMNS, all_references, measured_references
from passgrid.analysis.scoring import count_correct
from passgrid.analysis.strategies.pools import probe_frame
from passgrid.analysis.weak_tests import weak_strong_counts
from passgrid.datasets.problems import load_dataset, load_problems, read_problems, write_problems
from passgrid.datasets.written_tests import read_written_tests
from passgrid.evaluation import Judging, judge, ready_problems
from passgrid.evaluation import score as score_verdicts
from passgrid.execution.limits import probe_limits
from passgrid.execution.pool import limits_from
from passgrid.files import atomic_writer, file_sha256, read_table, resolve_file, write_atomic, write_json
from passgrid.sample import read_sample_file
from passgrid.sampling.backends import backend_class
from passgrid.sampling.draw import draw_problems, iter_samples, join_samples, shard_of
from passgrid.sampling.record import claim_draw, draw_provenance, finish_run, gather_runs, run_name, start_run
from passgrid.verdicts import read_verdicts


def prepare_dataset(dataset: dict, out_problems, out_meta) -> dict:
    """All of a dataset's problems (its limit is a budget: each draw and cell
    takes the first `limit` of this file). `dataset`: its identity (name,
    source and the source's own settings)."""
    problems = ready_problems(load_dataset(dataset))
    where = {k: v for k, v in dataset.items() if k != "name"}
    return write_problems(problems, out_problems, out_meta, json.dumps(where, sort_keys=True))


def prepare_strong_tests(strong_tests: str, problems_path, out_problems, out_meta, limit=None) -> dict:
    """The dataset's first `limit` problems with the tests of a stronger test
    set: a JSONL file (HumanEval's schema, or EvalPlus's release format, whose
    base + plus tests are taken), `hub:ID` (e.g. hub:evalplus/humanevalplus),
    or `plus`: the dataset's own plus tests (an EvalPlus dataset judged on
    base and on plus). The same samples judged by both show how many passes
    the weak tests let through."""
    problems = list(first_problems(problems_path, limit).values())
    if strong_tests == "plus":
        stronger = problems
    elif strong_tests.startswith("hub:"):
        stronger = ready_problems(load_problems("hub", hub_id=strong_tests[4:]))
    else:
        stronger = ready_problems(load_problems("jsonl", path=strong_tests))
    by_id = {p.task_id: p for p in stronger if p.plus_test or strong_tests != "plus"}
    missing = [p.task_id for p in problems if p.task_id not in by_id]
    if missing:
        # MBPP+ holds 378 of MBPP's problems: its own dataset judges those on both test sets
        hint = "; for MBPP, dataset=mbppplus_hub judges MBPP+'s problems on MBPP's tests and on EvalPlus's" \
            if missing[0].startswith("Mbpp/") else ""
        raise PassgridError(f"dataset.strong_tests: {strong_tests} has no tests for {len(missing)} of the "
                            f"{len(problems)} problem(s), e.g. {missing[0]} (strong tests must cover every problem "
                            f"judged){hint}")
    strong = [replace(p, test=s.plus_test or s.test, stdio=s.stdio, entry_point=s.entry_point,
                      answer=p.answer if s.answer is None else s.answer)
              for p, s in ((p, by_id[p.task_id]) for p in problems)]
    return write_problems(strong, out_problems, out_meta, f"strong tests: {strong_tests}")


def first_problems(problems_path, limit=None) -> dict:
    """A dataset file's first `limit` problems (all for None), by task_id."""
    return _first(read_problems(problems_path), limit)


def _first(problems: dict, limit) -> dict:
    return dict(list(problems.items())[:limit]) if limit is not None else problems


def sample(problems_path, job, problem_dir, draw_meta, runs_dir, out_shard, threads=1) -> dict:
    """Draw a SampleJob's shard of its draw at the draw's budget, into the
    draw's per-problem files (resuming from them). Each run is recorded with
    what drew it (passgrid.sampling.record); `out_shard` says what the shard
    holds once it is done."""
    files = backend_class(job.model.backend).input_files(job.model)
    claim_draw(draw_meta, job.draw, job.identity, {key: file_sha256(path) for key, path in files.items()})
    shard = f"{job.shard} of {job.shards}"
    problems = shard_of(list(first_problems(problems_path, job.limit).values()), job.shard, job.shards)
    name, run = run_name(shard), None

    def started(provenance):
        nonlocal run
        run = start_run(runs_dir, name, provenance, {"n": job.sampling.n, "limit": job.limit}, shard)

    counts = draw_problems(problems, job.model, job.prompt, job.sampling, problem_dir, threads=threads,
                           on_start=started, run=name)
    if run:
        finish_run(run, counts["drawn"])
    write_json(out_shard, {"shard": shard, "n": job.sampling.n, "task_ids": [p.task_id for p in problems],
                           **{k: v for k, v in counts.items() if k != "provenance"}})
    return counts


def join_draw(problems_path, job, problem_dir, draw_meta, runs_dir, out_samples) -> int:
    """Join a draw's shards into its samples file (the problems in the
    dataset's order) and gather its runs into draw.json."""
    problems = list(first_problems(problems_path, job.limit).values())
    joined = join_samples(problems, job.model, job.sampling, problem_dir, out_samples, job.prompt.writes)
    gather_runs(draw_meta, runs_dir)
    return joined


def execute(problems_path, samples_path, job, out_path, dataset_path=None, workers=None, progress=True) -> None:
    """Judge an ExecuteJob's samples into an executions file, streaming:
    memory does not grow with the number of samples. The file is read twice:
    once to check it all (a short or malformed file stops here, before
    anything runs), once to judge it. `problems_path` holds the tests (the
    dataset's, or a stronger set's); a draw may hold more of the dataset's
    problems (`dataset_path`, by default the same file) than the cell takes:
    those are skipped, any other task_id is an error."""
    tests = read_problems(problems_path)
    problems = _first(tests, job.limit)
    known = set(read_problems(dataset_path)) if dataset_path and dataset_path != problems_path else set(tests)
    counts = _count_samples(samples_path, job.n, problems, known)
    judging = _judging(job, limits_from(job.execution), workers)
    samples = iter_samples(samples_path, problems, n=job.n, keep_raw=False, skip=known - set(problems))
    with atomic_writer(out_path) as out:
        judge(samples, problems, judging, lambda v: out.write(json.dumps(v.to_json(), ensure_ascii=False) + "\n"),
              task_ids=list(counts), total=sum(counts.values()), progress=progress)


def probe(problems_path, samples_path, job, out_shown, out_written, workers=None, progress=True) -> None:
    """Run a probe ExecuteJob's samples once each, as execute judges them, on
    their problem's probe (passgrid.analysis.selection.probes: the tests its
    statement shows, then the model-written tests in job.written, where it
    has some), and write each run as two verdicts (split_probe): on the shown
    tests into `out_shown`, of the problems that show some; on the written
    tests into `out_written`, of the problems that have some (none where the
    job names no written tests)."""
    tests = read_problems(problems_path)
    problems = _first(tests, job.limit)
    written = {t: w.tests for t, w in _written_tests(job.written, tests, job.written_n).items()} \
        if job.written else {}
    probes = selection.probes(problems, written)
    counts = {t: c for t, c in _count_samples(samples_path, job.n, problems, set(tests)).items() if t in probes}
    judging = _judging(job, probe_limits(limits_from(job.execution)), workers)
    judged = selection.probe_problems(probes)
    samples = iter_samples(samples_path, judged, n=job.n, keep_raw=False, skip=set(tests) - set(probes))
    with atomic_writer(out_shown) as shown_out, atomic_writer(out_written) as written_out:
        def emit(verdict):
            for part, out in zip(selection.split_probe(verdict, probes[verdict.task_id]), (shown_out, written_out)):
                if part is not None:
                    out.write(json.dumps(part.to_json(), ensure_ascii=False) + "\n")

        judge(samples, judged, judging, emit, task_ids=list(counts),
              total=sum(counts.values()), progress=progress)


def _count_samples(samples_path, n: int, problems: dict, known: set) -> dict:
    """task_id -> its samples among each problem's first n, once every sample
    of the file is read and checked (the first of execute's two readings): of
    `problems`, skipping the `known` others."""
    counts = {}
    for s in iter_samples(samples_path, problems, n=n, keep_raw=False, skip=known - set(problems)):
        counts[s.task_id] = counts.get(s.task_id, 0) + 1
    return counts


def _judging(job, limits, workers) -> Judging:
    """How `job`'s samples are judged, under `limits`."""
    return Judging(limits=limits, workers=workers or job.execution.workers, cache_path=job.execution.cache,
                   sandbox_paths=tuple(job.execution.sandbox_paths), hidden_paths=job.hidden,
                   settings=job.judged_under)


def score(problems_path, executions_path, out_per_problem, out_scores, limit=None) -> pd.DataFrame:
    task_ids = list(first_problems(problems_path, limit))
    per_problem, table = score_verdicts(read_verdicts(executions_path), task_ids, where=str(executions_path))
    write_atomic(out_per_problem, per_problem.to_csv(index=False))
    write_atomic(out_scores, table.to_csv(index=False))
    return table


@dataclass(frozen=True)
class _Curves:
    """What summarize keeps of a cell for its crossings."""
    table: pd.DataFrame
    replicates: dict
    per_problem: pd.DataFrame
    on: dict  # the problems it is measured on: dataset and count
    used: dict  # passgrid.analysis.costs.usage
    pricing: Pricing


def summarize(cells: list, analysis, out_summary, out_fits, out_crossings, out_references,
              out_mixes, workers: int = 1) -> pd.DataFrame:
    """The grid's analysis, in five tables.

    results/summary.csv: one row per cell and k: pass@k with its interval,
    selected@k, pass@k under stronger tests (where there are), the cost of k
    samples per problem, usage, and the cell's config as columns.
    results/fits.csv: each cell's scaling fit, its validation, extrapolations.
    results/references.csv: the reference systems, measured in this grid (a
    reference model's cells) or cited (analysis.references).
    results/crossings.csv: the k (and cost) at which each other cell reaches
    each reference's pass@1.
    results/mixes.csv: the sampled cells on the same problems (each two, and
    all of them), their samples mixed at each total budget
    (passgrid.analysis.mixing).

    `cells` holds CellRecords (passgrid.grid.jobs); each is analysed on its
    own, `workers` of them at a time.
    """
    frames, fitted, curves = [], [], {}
    for cell, (frame, fits, curve) in zip(cells, _each_cell(cells, analysis, workers)):
        frames.append(frame)
        fitted += fits
        curves[cell.id] = curve
    summary = pd.concat(frames, ignore_index=True)
    summary = summary[list(FIRST) + [c for c in summary.columns if c not in FIRST]]
    measured = {c.id: c.config.model.name for c in cells if c.config.model.reference}
    references = all_references(analysis.references, measured_references(summary, measured))
    reference_counts = {measured[cell]: c.per_problem for cell, c in curves.items() if cell in measured}
    crossings = [row for cell, c in curves.items() if cell not in measured
                 for row in crossing_rows(cell, c.table, c.replicates, c.per_problem, analysis, references,
                                          reference_counts, c.on, c.used, c.pricing)]
    _write_mixes([c.id for c in cells if not c.config.model.reference], curves, analysis, out_mixes)
    write_atomic(out_summary, summary.to_csv(index=False))
    write_atomic(out_fits, pd.DataFrame(fitted).to_csv(index=False))
    write_atomic(out_references, pd.DataFrame(references, columns=REFERENCE_COLUMNS).to_csv(index=False))
    write_atomic(out_crossings, pd.DataFrame(crossings, columns=None if crossings else ["cell", "reference"])
                 .to_csv(index=False))
    return summary


def _each_cell(cells: list, analysis, workers: int):
    """_cell_analysis of each cell, in their order: in `workers` forked
    processes where there are more cells than one (the analysis is CPU-bound
    Python; forked, not spawned: a Snakemake script is not run again in each),
    the cells with the most samples per problem first, so that the longest
    does not start last."""
    if workers <= 1 or len(cells) <= 1:
        return [_cell_analysis(cell, analysis) for cell in cells]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(min(workers, len(cells)), mp_context=multiprocessing.get_context("fork")) as pool:
        heaviest_first = sorted(cells, key=lambda cell: -cell.config.sampling.n)
        analysed = {cell.id: pool.submit(_cell_analysis, cell, analysis) for cell in heaviest_first}
        return [analysed[cell.id].result() for cell in cells]


def _cell_analysis(cell, analysis):
    """One cell's summary rows, its fits' rows, and what its crossings and mixes need (_Curves)."""
    pricing, n = Pricing.of(cell.config.model, cell.gpus), cell.config.sampling.n
    per_problem = read_table(cell.per_problem)
    used = costs.usage(cell.samples, n, task_ids=set(per_problem["task_id"]))
    strong = read_table(cell.per_problem_strong) if cell.per_problem_strong else None
    verdicts = read_verdicts(cell.executions)  # read once: probes, failures, the forecasters' first samples
    strong_verdicts = read_verdicts(cell.executions_strong) if cell.executions_strong else None
    weak_strong = weak_strong_counts(verdicts, strong_verdicts) if strong_verdicts else None
    facts = _sample_facts(cell, n)
    table, replicates = cell_curves(per_problem, analysis, used, pricing, _probes(cell, verdicts, strong_verdicts, facts),
                                    strong, _outcomes(facts, verdicts), weak_strong)
    m = int(n * analysis.fit_fraction)  # the forecasters' validation sees each problem's first m samples
    first_counts = count_correct([v for v in verdicts if v.sample_index < m], list(per_problem["task_id"]),
                                 where=cell.executions) if m >= MIN_FORECAST_SAMPLES else None
    on = {"dataset": cell.config.dataset.name, "problems": len(per_problem)}
    return (table.assign(cell=cell.id, n_problems=len(per_problem), **used, **cell.flat_config),
            fit_rows(cell.id, table, replicates["pass_at_k"], analysis, per_problem, first_counts),
            _Curves(table, replicates, per_problem, on, used, pricing))


def _write_mixes(sampled: list, curves: dict, analysis, out_mixes) -> None:
    """The sampled cells measured on the same problems, mixed
    (passgrid.analysis.mixing): every two of them, and all of them together
    where there are more than two."""
    groups = {}
    for cell in sampled:
        c = curves[cell]
        groups.setdefault((c.on["dataset"], frozenset(c.per_problem["task_id"])), []).append(cell)
    sets = [mixed for group in groups.values() if len(group) > 1
            for mixed in [*itertools.combinations(group, 2), *([tuple(group)] if len(group) > 2 else [])]]
    mixes = [row for mixed in sets for row in mix_rows({cell: curves[cell].per_problem for cell in mixed}, analysis)]
    write_atomic(out_mixes, pd.DataFrame(mixes, columns=MIX_COLUMNS).to_csv(index=False))


def _sample_facts(cell, n: int) -> dict:
    """(task_id, sample_index) -> what the analysis needs of each of the
    cell's samples (whether it reads as code, its finish_reason, its mean
    token log-probability), not its text."""
    from passgrid.analysis.failures import reads_as_code

    return {(s.task_id, s.sample_index): (reads_as_code(s.completion, s.raw), s.finish_reason, s.mean_logprob)
            for s in read_sample_file(cell.samples) if s.sample_index < n}


def _outcomes(facts: dict, verdicts: list) -> pd.DataFrame:
    """One row per judged sample: its kind of outcome (passgrid.analysis.failures) and program."""
    from passgrid.analysis.failures import failure_kind

    rows = []
    for v in verdicts:
        has_code, finish_reason, _ = facts[(v.task_id, v.sample_index)]
        rows.append({"task_id": v.task_id, "program": v.program_sha256,
                     "kind": failure_kind(v.outcome, v.detail, has_code, finish_reason)})
    return pd.DataFrame(rows, columns=["task_id", "program", "kind"])


def _probes(cell, executions: list, strong: list, facts: dict):
    """The strategies' view of the cell's samples
    (passgrid.analysis.strategies.pools.probe_frame), from its verdicts on the
    tests, on the tests its statement shows, on its model's written tests and
    under a stronger test set (`strong`), where it has them, and from each
    sample's log-probability (in `facts`: _sample_facts)."""
    if not cell.probes:
        return None
    if strong:
        judged = _aligned_verdicts(strong, executions)
        if None in judged:
            raise PassgridError(f"{cell.executions_strong}: a sample of {cell.executions} has no verdict there")
        strong = [v.passed for v in judged]
    logprob = [facts[(v.task_id, v.sample_index)][2] for v in executions]
    if not cell.written:
        return probe_frame(executions, _aligned(cell.probes, executions), strong=strong, logprob=logprob)
    written = _aligned(cell.written, executions)
    probed = {v.task_id for v in written if v}  # the problems its written tests were run on
    weights = {t: w.weights for t, w in _written_tests(cell.written_tests, read_problems(cell.problems),
                                                       cell.config.written.n or None).items()
               if t in probed}
    return probe_frame(executions, _aligned(cell.probes, executions), written, weights, strong, logprob)


def _written_tests(path, problems: dict, generations: int = None) -> dict:
    """task_id -> WrittenTests of the file at `path` (a path or pkg://; of a
    tests draw, each problem's first `generations`)."""
    return read_written_tests(resolve_file(path, "model.written_tests"), problems, generations=generations)


def _aligned(path, executions: list) -> list:
    """The verdicts in `path` of each of `executions`' samples, in their order (None where it has none)."""
    return _aligned_verdicts(read_verdicts(path), executions)


def _aligned_verdicts(verdicts: list, executions: list) -> list:
    judged = {(v.task_id, v.sample_index): v for v in verdicts}
    return [judged.get((v.task_id, v.sample_index)) for v in executions]


def report(summary_path, fits_path, crossings_path, references_path, mixes_path, cells: list, sweep: str,
           analysis: dict, out_html, out_figures) -> None:
    from passgrid.report.figures import figure_png, plot_pass_at_k
    from passgrid.report.page import render_report

    summary = read_table(summary_path)
    per_problem = {cell.id: read_table(cell.per_problem) for cell in cells}
    write_atomic(out_html, render_report(summary, read_table(fits_path), read_table(crossings_path),
                                         per_problem, sweep, analysis, out_figures,
                                         references=read_table(references_path).to_dict("records"),
                                         provenance={cell.id: draw_provenance(cell.draw_meta) for cell in cells},
                                         mixes=read_table(mixes_path)))
    for cell in cells:  # each cell's own curve, for its MLflow run
        Path(cell.figure).parent.mkdir(parents=True, exist_ok=True)
        Path(cell.figure).write_bytes(figure_png(plot_pass_at_k(summary[summary["cell"] == cell.id], references=())))


def track(summary_path, cells: list, uri: str, experiment: str, sweep: str, artifacts: list, figures_dir,
          out_json, settings=None) -> dict:
    from passgrid.tracking import log_grid

    ids = log_grid(read_table(summary_path), cells, uri, experiment, sweep, artifacts=artifacts,
                   figures_dir=figures_dir, settings=settings,
                   provenance={cell.id: draw_provenance(cell.draw_meta) for cell in cells})
    write_json(out_json, {"tracking_uri": uri, "experiment": experiment, **ids})
    return ids
