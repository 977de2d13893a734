"""Snakemake adapter: the static HTML report."""
from passgrid.cli import exit_on_error
from passgrid.steps import report

with exit_on_error():
    report(snakemake.input.summary, snakemake.params.varying, snakemake.params.sweep, snakemake.output.report)
