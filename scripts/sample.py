"""Snakemake adapter: draw one draw's samples at its budget (resumes from its shards)."""
from passgrid.cli import exit_on_error
from passgrid.steps import sample

with exit_on_error(snakemake.log):
    sample(snakemake.input.problems, snakemake.params.job, snakemake.params.shard_dir, snakemake.params.draw_meta,
           snakemake.output.samples, threads=snakemake.threads)
