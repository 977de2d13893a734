"""Snakemake adapter: join a draw's shards into its samples file."""
from passgrid.cli import exit_on_error
from passgrid.steps import join_draw

with exit_on_error(snakemake.log):
    join_draw(snakemake.input.problems, snakemake.params.job, snakemake.params.problem_dir, snakemake.params.draw_meta,
              snakemake.params.runs_dir, snakemake.output.samples)
