"""Snakemake adapter: pass@k of one cell, per problem and overall."""
from passgrid.cli import exit_on_error
from passgrid.steps import score

with exit_on_error(snakemake.log):
    score(snakemake.input.problems, snakemake.input.executions, snakemake.output.per_problem,
          snakemake.output.scores, limit=snakemake.params.limit)
