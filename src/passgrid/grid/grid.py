"""The grid: its cells, the draws they share, the datasets they use, every
path the workflow writes, and the grid-level settings. The Snakefile,
`passgrid grid` and the cost preview all read this one model.

Each job gets a typed record (passgrid.grid.jobs) holding everything its
step needs, and beside it the plain values whose change must rerun it
(`Job.reruns_on`): Snakemake reruns a job when a plain-valued param changes
and does not track other objects, so a price or a thread count, which is in
the record but not in `reruns_on`, re-runs nothing.
"""
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from typing import Optional

from passgrid import PassgridError
from passgrid.files import resolve_file
from passgrid.grid.compose import expand_sweep, flatten
from passgrid.grid.ids import cell_id, dataset_id, dataset_identity, draw_id, draw_identity, strong_id
from passgrid.grid.jobs import CellRecord, ExecuteJob, SampleJob
from passgrid.grid.schema import GRID_SECTIONS, CellConfig, Config
from passgrid.sampling.backends import backend_class

# Every path the workflow writes, in one place: all under RESULTS, which the
# sandbox hides from programs (ExecuteJob.hidden).
RESULTS = "results"
PATHS = {"results": RESULTS, **{name: f"{RESULTS}/{path}" for name, path in {
    "problems": "data/{dataset}/problems.jsonl",
    "dataset_meta": "data/{dataset}/meta.json",
    # the dataset's problems with a stronger test set's tests
    "strong_problems": "data/{dataset}/strong-{strong}/problems.jsonl",
    "strong_meta": "data/{dataset}/strong-{strong}/meta.json",
    "samples": "draws/{draw}/samples.jsonl",
    "problem_samples": "draws/{draw}/by_problem",  # a file per problem, grown in place
    "shard": "draws/{draw}/shards/{shard}-of-{shards}.json",  # what a sampling job drew
    "draw_meta": "draws/{draw}/draw.json",
    "draw_runs": "draws/{draw}/runs",  # a file per sampling run, gathered into draw.json
    "executions": "runs/{cell}/executions.jsonl",
    "probes": "runs/{cell}/probes.jsonl",
    "written": "runs/{cell}/written.jsonl",  # each sample on its model's written tests (empty where none)
    "executions_strong": "runs/{cell}/executions_strong.jsonl",
    "per_problem": "runs/{cell}/per_problem.csv",
    "scores": "runs/{cell}/scores.csv",
    "per_problem_strong": "runs/{cell}/per_problem_strong.csv",
    "scores_strong": "runs/{cell}/scores_strong.csv",
    "cell_config": "runs/{cell}/config.json",
    "summary": "summary.csv",
    "fits": "fits.csv",
    "crossings": "crossings.csv",
    "mixes": "mixes.csv",  # two configurations' samples mixed, at each total budget
    "references": "references.csv",
    "report": "report/index.html",
    "figures": "report/figures",
    "cell_figure": "report/figures/cells/{cell}/pass_at_k.png",
    "tracking": "tracking.json",
    "log": "logs/{rule}/{job}.log",  # what each job printed (also shown as it runs)
}.items()}}


@dataclass(frozen=True)
class Cell:
    """One point of a grid: its id, its full config, and what varies in it."""
    id: str
    config: Config
    varying: dict

    # computed once: every rule's lambdas ask for them, in every job's parse
    @cached_property
    def draw(self) -> str:
        return draw_id(self.config)

    @cached_property
    def dataset(self) -> str:
        return dataset_id(self.config.dataset)

    @cached_property
    def tests_draw(self) -> Optional[str]:
        """The draw of its model-written tests, where it asks for them (written.n)."""
        return draw_id(tests_config(self.config)) if self.config.written.n else None


def tests_config(config: Config) -> Config:
    """The config of a cell's written-tests draw: its model and prompt style
    asked for tests (prompt.writes), at the written section's budget and
    temperature. A completion model goes on from CodeT's prompt, stopping
    where a new top-level block starts; a chat model answers in a code block."""
    w, prompt = config.written, config.prompt
    chat = prompt.style == "chat"
    return replace(config,
                   prompt=replace(prompt, writes="tests", instruction=w.instruction if chat else "",
                                  stop=[] if chat else ["\ndef ", "\nclass ", "\nif __name__"], stop_at_answer=False),
                   sampling=replace(config.sampling, n=w.n, temperature=w.temperature, max_tokens=w.max_tokens))


@dataclass(frozen=True)
class Draw:
    """The samples that cells differing only in budget share: drawn once, at
    the largest n and the largest limit any of them asks for."""
    id: str
    config: Config  # a cell's config, with the draw's budget
    cells: tuple

    @property
    def n(self) -> int:
        return self.config.sampling.n

    @property
    def limit(self) -> Optional[int]:
        return self.config.dataset.limit

    @property
    def shards(self) -> int:
        return self.config.sampling.shards


def _draw(draw: str, configs: list, members: list) -> Draw:
    """The draw that `members`' configs share, at the largest budget any asks for."""
    limits = [c.dataset.limit for c in configs]
    config = replace(configs[0], sampling=replace(configs[0].sampling, n=max(c.sampling.n for c in configs),
                                                  shards=max(c.sampling.shards for c in configs)),
                     dataset=replace(configs[0].dataset, limit=None if None in limits else max(limits)))
    return Draw(draw, config, tuple(c.id for c in members))


def _group(items, key) -> dict:
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    return groups


class Grid:
    def __init__(self, cells: list, sweep: str):
        if not cells:
            raise PassgridError("the sweep has no cells")
        self.sweep = sweep
        self.cells = {c.id: c for c in cells}
        for section in GRID_SECTIONS:
            values = {repr(getattr(c.config, section)) for c in cells}
            if len(values) > 1:
                raise PassgridError(f"{section}.*: one for the whole grid (its summary, report and tracking); "
                                    "it cannot vary across cells")
        first = cells[0].config
        self.analysis, self.tracking = first.analysis, first.tracking
        self.draws = {draw: _draw(draw, [c.config for c in members], members)
                      for draw, members in _group(cells, lambda c: c.draw).items()}
        # the model-written tests' draws (written.n): draws like the others, of tests
        self.draws.update({draw: _draw(draw, [tests_config(c.config) for c in members], members)
                           for draw, members in _group([c for c in cells if c.tests_draw],
                                                       lambda c: c.tests_draw).items()})
        # dataset id -> what preparing it needs (neither a limit nor stronger tests)
        self.datasets = {c.dataset: dataset_identity(c.config.dataset) for c in cells}
        # strong-test id -> the `dataset.strong_tests` it stands for
        self.strong_tests = {strong_id(c.config.dataset.strong_tests): c.config.dataset.strong_tests
                             for c in cells if c.config.dataset.strong_tests}

    @classmethod
    def expand(cls, conf_dir=None, overrides=(), sweep: str = None) -> "Grid":
        """The grid of a sweep (see compose.expand_sweep); two spellings of one
        value make one cell. Cells that differ only in DERIVED fields would be
        one cell's results twice, so such a sweep is refused."""
        cells = {}
        for config, varying in expand_sweep(conf_dir, overrides, sweep):
            cell = Cell(cell_id(config, varying), config, varying)
            same = cells.setdefault(cell.id, cell)
            if same.config != cell.config:
                keys = [k for k in varying if same.varying.get(k) != varying[k]]
                raise PassgridError(f"cells differ only in {', '.join(keys)}, which changes no sample and no verdict: "
                                    "sweep it in separate grids (one per value)")
        return cls(list(cells.values()), sweep or "default")

    def strong_limit(self, dataset: str, strong: str):
        """How many of a dataset's first problems need the stronger tests: the
        largest limit of the cells that judge by them (None: all)."""
        limits = [c.config.dataset.limit for c in self.cells.values()
                  if c.dataset == dataset and c.config.dataset.strong_tests == self.strong_tests[strong]]
        return None if None in limits else max(limits)

    def path(self, name: str, **ids) -> str:
        return PATHS[name].format(**ids)

    def settings(self) -> dict:
        """The grid-level sections, flattened: the parent MLflow run's params."""
        return flatten({k: asdict(getattr(self, k)) for k in GRID_SECTIONS})

    # What each job needs -------------------------------------------------

    def problems_of_cell(self, cell: str) -> str:
        return self.path("problems", dataset=self.cells[cell].dataset)

    def problems_of_draw(self, draw: str) -> str:
        return self.path("problems", dataset=dataset_id(self.draws[draw].config.dataset))

    def strong_problems_of_cell(self, cell: str) -> str:
        c = self.cells[cell]
        return self.path("strong_problems", dataset=c.dataset, strong=strong_id(c.config.dataset.strong_tests))

    def written_tests_of_cell(self, cell: str):
        """The model-written tests a cell's samples are ranked with (CodeT): a
        samples file's (model.written_tests: a path, or pkg://PACKAGE/FILE),
        or its tests draw's samples (written.n), or None."""
        c = self.cells[cell]
        given = getattr(c.config.model, "written_tests", None)
        return given or (self.path("samples", draw=c.tests_draw) if c.tests_draw else None)

    def written_tests_file(self, cell: str) -> list:
        """That file, resolved, as a job's input (none where there is none; a
        tests draw's, which its sampling jobs make)."""
        c = self.cells[cell]
        if c.tests_draw and not getattr(c.config.model, "written_tests", None):
            return [self.path("samples", draw=c.tests_draw)]
        found = self.written_tests_of_cell(cell)
        return [str(resolve_file(found, "model.written_tests"))] if found else []

    def samples_of_cell(self, cell: str) -> str:
        return self.path("samples", draw=self.cells[cell].draw)

    def shards_of_draw(self, draw: str) -> list:
        """The files of a draw's sampling jobs, one per shard."""
        shards = self.draws[draw].shards
        return [self.path("shard", draw=draw, shard=i, shards=shards) for i in range(1, shards + 1)]

    def sample_files(self, draw: str) -> list:
        """The files a draw's samples come from (a model's weights, a samples file)."""
        model = self.draws[draw].config.model
        return [str(p) for p in backend_class(model.backend).input_files(model).values()]

    def sampling_env(self, draw: str) -> str:
        """The conda environment file (in envs/) of a draw's sampling jobs: its
        backend's, or passgrid's alone where another interpreter runs the
        engine (model.python)."""
        model = self.draws[draw].config.model
        return "analysis.yaml" if model.python else backend_class(model.backend).conda_env

    def cpu_sampling_jobs(self) -> int:
        """Sampling jobs that decode on the CPU cores they are given (they share the cores)."""
        return sum(d.shards for d in self.draws.values()
                   if backend_class(d.config.model.backend).uses_cpu_threads)

    def sample_job(self, draw: str, shard: int = 1, shards: int = None) -> SampleJob:
        """The job of shard `shard` (1-based) of a draw; `shards`, where a path
        names it, must be the draw's own (a stale target would draw another split)."""
        d = self.draws[draw]
        if shards is not None and shards != d.shards or not 1 <= shard <= d.shards:
            raise PassgridError(f"{draw}: shard {shard} of {shards or d.shards} asked for, but the draw is drawn "
                                f"in {d.shards} (sampling.shards)")
        config = d.config
        return SampleJob(draw=draw, model=config.model, prompt=config.prompt, sampling=config.sampling,
                         limit=config.dataset.limit, identity=draw_identity(config),
                         gpus=backend_class(config.model.backend).gpus(config.model),
                         shard=shard, shards=d.shards)

    def execute_job(self, cell: str, probe: bool = False) -> ExecuteJob:
        """The job judging a cell's samples on its tests; with `probe`, on the
        tests its problems show and its model-written tests, where it has them."""
        config = self.cells[cell].config
        # the sandbox shows what the execution config and the dataset both ask for
        paths = list(dict.fromkeys([*config.execution.sandbox_paths, *config.dataset.sandbox_paths]))
        return ExecuteJob(execution=replace(config.execution, sandbox_paths=paths), n=config.sampling.n,
                          limit=config.dataset.limit, probe=probe, hidden=(PATHS["results"],),
                          written=self.written_tests_of_cell(cell) if probe else None,
                          written_n=config.written.n or None if probe else None)

    @cached_property
    def _records(self) -> dict:
        return {c.id: self._record(c) for c in self.cells.values()}

    def record(self, cell: str) -> CellRecord:
        """What the summary, report and tracking jobs need to know of a cell
        (its own config sections, not the grid-level ones), and the paths of
        its results."""
        return self._records[cell]

    def cell_records(self) -> list:
        return list(self._records.values())

    def _record(self, c: Cell) -> CellRecord:
        def run(name):
            return self.path(name, cell=c.id)

        strong = bool(c.config.dataset.strong_tests)
        return CellRecord(
            id=c.id, config=CellConfig.of(c.config), flat_config=flatten(asdict(CellConfig.of(c.config))),
            varying=c.varying, samples=self.samples_of_cell(c.id), draw_meta=self.path("draw_meta", draw=c.draw),
            executions=run("executions"),
            per_problem=run("per_problem"), probes=run("probes"),
            written=run("written") if self.written_tests_of_cell(c.id) else None,
            written_tests=self.written_tests_of_cell(c.id), problems=self.problems_of_cell(c.id),
            per_problem_strong=run("per_problem_strong") if strong else None,
            executions_strong=run("executions_strong") if strong else None, config_json=run("cell_config"),
            figure=run("cell_figure"),
            gpus=backend_class(c.config.model.backend).gpus(c.config.model))
