# Grid expansion and the helpers every rule uses. The config is composed and
# validated here, once, before any job starts; rules only see plain values.
import hashlib
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError

from passgrid import PassgridError
from passgrid.config import dataset_id, draw_id, expand_grid, flatten, split_overrides

SWEEP = config.get("sweep", "default")
try:
    CELLS = {c.id: c for c in expand_grid(Path(workflow.basedir) / "conf", split_overrides(config.get("overrides", "")), SWEEP)}
except PassgridError as e:
    sys.exit(f"passgrid: {e}")

# Every path the workflow writes, in one place.
DATA = "results/data/{dataset}"
DRAW = "results/draws/{draw}"
RUN = "results/runs/{cell}"
STRONG = DATA + "/strong-{strong}"  # the dataset's problems with a stronger test set's tests
SUMMARY = "results/summary.csv"
FITS = "results/fits.csv"
CROSSINGS = "results/crossings.csv"
REPORT = "results/report/index.html"
FIGURES = "results/report/figures"
TRACKING = "results/tracking.json"



def _draws():
    """draw id -> the config to sample with: cells that differ only in
    sampling.n share one draw, at their largest n."""
    draws = {}
    for cell in CELLS.values():
        draw = draws.setdefault(draw_id(cell.config), {**cell.config, "sampling": dict(cell.config["sampling"])})
        draw["sampling"]["n"] = max(draw["sampling"]["n"], cell.config["sampling"]["n"])
    return draws


DRAWS = _draws()

# llama.cpp decodes faster as one single-threaded job per core than as one
# job using every core (measured: 124 vs 101 tokens/s on 2 cores), so the
# sampling jobs of a grid share the cores.
def _sample_threads():
    try:
        return max(1, workflow.cores // len(DRAWS))
    except WorkflowError:  # no --cores: a cluster run, where the profile's set-threads sizes jobs
        return 1


SAMPLE_THREADS = _sample_threads()

wildcard_constraints:
    cell="|".join(map(lambda c: c.replace(".", r"\.").replace("+", r"\+"), CELLS)),
    draw="draw-[0-9a-f]{8}",
    dataset="[^/]+",
    strong="[0-9a-f]{8}",


def cell_config(wildcards, section=None):
    cfg = CELLS[wildcards.cell].config
    return cfg if section is None else cfg[section]


def draw_config(wildcards, section):
    return DRAWS[wildcards.draw][section]


def _problems_path(config):
    return DATA.format(dataset=dataset_id(config["dataset"])) + "/problems.jsonl"


def problems_of(wildcards):
    return _problems_path(cell_config(wildcards))


def draw_problems_of(wildcards):
    return _problems_path(DRAWS[wildcards.draw])


def strong_id(strong_tests):
    return hashlib.sha256(strong_tests.encode()).hexdigest()[:8]


# strong-test id -> the `dataset.strong_tests` it stands for
STRONG_TESTS = {strong_id(c.config["dataset"]["strong_tests"]): c.config["dataset"]["strong_tests"]
                for c in CELLS.values() if c.config["dataset"].get("strong_tests")}


def strong_problems_of(wildcards):
    config = cell_config(wildcards)
    strong = STRONG.format(dataset=dataset_id(config["dataset"]), strong=strong_id(config["dataset"]["strong_tests"]))
    return strong + "/problems.jsonl"


def _samples_path(config):
    return DRAW.format(draw=draw_id(config)) + "/samples.jsonl"


def samples_of(wildcards):
    """The draw a cell takes its first sampling.n samples per problem from."""
    return _samples_path(cell_config(wildcards))


def datasets():
    """dataset id -> dataset config, for every dataset the grid uses."""
    return {dataset_id(c.config["dataset"]): c.config["dataset"] for c in CELLS.values()}


def varying_keys():
    return sorted({key for cell in CELLS.values() for key in cell.varying})


def _cell_record(c):
    run = RUN.format(cell=c.id)
    return {"id": c.id, "config": c.config, "flat_config": flatten(c.config), "varying": c.varying,
            "samples": _samples_path(c.config), "executions": run + "/executions.jsonl",
            "per_problem": run + "/per_problem.csv", "probes": run + "/probes.jsonl",
            "per_problem_strong": run + "/per_problem_strong.csv" if c.config["dataset"].get("strong_tests") else None,
            "config_json": run + "/config.json"}


# What the summary, report and tracking jobs need to know of every cell, and
# the paths of its results (built once: several rules ask for it).
CELL_RECORDS = [_cell_record(c) for c in CELLS.values()]


def cell_inputs(*names):
    """The paths `names` of every cell (that has them), as job inputs."""
    return [cell[name] for cell in CELL_RECORDS for name in names if cell[name]]


ANALYSIS = next(iter(CELLS.values())).config["analysis"]  # grid-level: the same for every cell
