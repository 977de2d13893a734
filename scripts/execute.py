"""Snakemake adapter: run one cell's samples against the tests (or, with
params.probe, against the docstring's examples)."""
from passgrid.cli import exit_on_error
from passgrid.steps import execute

with exit_on_error():
    execution = {**snakemake.params.execution, "workers": snakemake.threads}
    execute(snakemake.input.problems, snakemake.input.samples, execution, snakemake.output.executions,
            n=snakemake.params.n, probe=snakemake.params.probe)
