"""Snakemake adapter: draw one cell's samples (resumes from its shards)."""
from passgrid.cli import exit_on_error
from passgrid.steps import sample

with exit_on_error():
    sample(snakemake.input.problems, snakemake.params.model, snakemake.params.prompt, snakemake.params.sampling,
           snakemake.params.shard_dir, snakemake.output.samples, threads=snakemake.threads)
