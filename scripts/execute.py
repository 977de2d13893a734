"""Snakemake adapter: run one cell's samples against its tests."""
from passgrid.cli import exit_on_error
from passgrid.steps import execute

with exit_on_error(snakemake.log):
    execute(snakemake.input.problems, snakemake.input.samples, snakemake.params.job, snakemake.output.executions,
            dataset_path=snakemake.input.get("dataset"), workers=snakemake.threads)
