"""Snakemake adapter: run one cell's samples against the tests."""
from passgrid.cli import exit_on_error
from passgrid.steps import execute

with exit_on_error():
    execution = {**snakemake.params.execution, "workers": snakemake.threads}
    execute(snakemake.input.problems, snakemake.input.samples, execution, snakemake.output.executions,
            n=snakemake.params.n)
