"""Snakemake adapter: a dataset's problems with a stronger test set's tests."""
from passgrid.cli import exit_on_error
from passgrid.steps import prepare_strong_tests

with exit_on_error(snakemake.log):
    prepare_strong_tests(snakemake.params.strong_tests, snakemake.input.problems, snakemake.output.problems,
                         snakemake.output.meta, limit=snakemake.params.limit)
