"""Snakemake adapter: normalize one dataset into results/data/<dataset>/."""
from passgrid.cli import exit_on_error
from passgrid.steps import prepare_dataset

with exit_on_error(snakemake.log):
    prepare_dataset(snakemake.params.dataset, snakemake.output.problems, snakemake.output.meta)
