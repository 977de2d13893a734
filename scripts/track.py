"""Snakemake adapter: log the grid to MLflow (the store's only writer)."""
from passgrid.cli import exit_on_error
from passgrid.steps import track

with exit_on_error():
    cells = [{**cell, "artifacts": [per_problem, config]}
             for cell, per_problem, config in zip(snakemake.params.cells, snakemake.input.per_problem,
                                                  snakemake.input.configs)]
    track(snakemake.input.summary, cells, snakemake.params.uri, snakemake.params.experiment, snakemake.params.sweep,
          snakemake.input.report, snakemake.output.tracking)
