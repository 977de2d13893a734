"""Snakemake adapter: the cell's full resolved config, as a file beside its results."""
from passgrid.steps import write_json

write_json(snakemake.output[0], snakemake.params.config)
