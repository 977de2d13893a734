"""Snakemake adapter: log the grid to MLflow (the store's only writer)."""
from passgrid.cli import exit_on_error
from passgrid.steps import track

with exit_on_error(snakemake.log):
    track(snakemake.input.summary, snakemake.params.cells, snakemake.params.uri, snakemake.params.experiment,
          snakemake.params.sweep, [snakemake.input.report, snakemake.input.fits, snakemake.input.crossings,
                                             snakemake.input.references, snakemake.input.mixes],
          snakemake.input.figures, snakemake.output.tracking, settings=snakemake.params.settings)
