"""Snakemake adapter: the static HTML report and its figures."""
from passgrid.cli import exit_on_error
from passgrid.steps import report

with exit_on_error(snakemake.log):
    report(snakemake.input.summary, snakemake.input.fits, snakemake.input.crossings, snakemake.input.references,
           snakemake.input.mixes,
           snakemake.params.cells, snakemake.params.sweep, snakemake.params.analysis, snakemake.output.report,
           snakemake.output.figures)
