"""Snakemake adapter: every cell's pass@k curve into results/summary.csv."""
from passgrid.cli import exit_on_error
from passgrid.steps import summarize

with exit_on_error():
    cells = [{**cell, "scores": scores, "samples": samples}
             for cell, scores, samples in zip(snakemake.params.cells, snakemake.input.scores, snakemake.input.samples)]
    summarize(cells, snakemake.output.summary)
