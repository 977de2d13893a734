"""Snakemake adapter: the cell's full resolved config, as a file beside its results."""
from passgrid.cli import exit_on_error
from passgrid.steps import write_json

with exit_on_error(snakemake.log):
    write_json(snakemake.output[0], snakemake.params.config)
