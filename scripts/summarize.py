"""Snakemake adapter: the grid's analysis into summary, fits, references, crossings and mixes tables."""
from passgrid.cli import exit_on_error
from passgrid.steps import summarize

with exit_on_error(snakemake.log):
    summarize(snakemake.params.cells, snakemake.params.analysis, snakemake.output.summary, snakemake.output.fits,
              snakemake.output.crossings, snakemake.output.references, snakemake.output.mixes,
              workers=snakemake.threads)
