"""Snakemake adapter: draw one shard of a draw at its budget (resumes from its per-problem files)."""
from passgrid.cli import exit_on_error
from passgrid.steps import sample

with exit_on_error(snakemake.log):
    sample(snakemake.input.problems, snakemake.params.job, snakemake.params.problem_dir, snakemake.params.draw_meta,
           snakemake.params.runs_dir, snakemake.output.shard, threads=snakemake.threads)
