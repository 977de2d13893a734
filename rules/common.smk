# Snakemake glue: the grid (cells, draws, paths, grid-level settings) is
# passgrid.grid.Grid, composed and validated here, once, before any job starts.
# Each rule gets a typed job record (`job`) and, as a plain value, what must
# rerun it (`reruns_on`): Snakemake tracks plain-valued params only.
import sys
from dataclasses import asdict
from pathlib import Path

from snakemake.exceptions import WorkflowError

from passgrid import PassgridError
from passgrid.grid.compose import split_overrides
from passgrid.grid.grid import PATHS, Grid

try:
    GRID = Grid.expand(Path(workflow.basedir) / "conf", split_overrides(config.get("overrides", "")),
                       config.get("sweep", "default"))
except PassgridError as e:
    sys.exit(f"passgrid: {e}")

def _local_cores():
    try:
        return workflow.cores
    except WorkflowError:  # no --cores: a cluster run, where the profile's set-threads sizes jobs
        return 1


LOCAL_CORES = _local_cores()
# Sampling jobs share the cores: llama.cpp decodes faster as one
# single-threaded job per core than as one job on every core (bench/).
SAMPLE_THREADS = max(1, LOCAL_CORES // max(1, GRID.cpu_sampling_jobs()))

wildcard_constraints:
    cell="|".join(map(lambda c: c.replace(".", r"\.").replace("+", r"\+"), GRID.cells)),
    draw="draw-[0-9a-f]{12}",
    shard="[0-9]+",
    shards="[0-9]+",
    dataset="[^/]+",
    strong="[0-9a-f]{8}",


def cell_inputs(*names):
    """The paths `names` of every cell (that has them), as job inputs."""
    return [getattr(c, name) for c in GRID.cell_records() for name in names if getattr(c, name)]
