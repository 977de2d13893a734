"""Snakemake adapter: run one cell's samples once each on the tests their
problems show and on their model's written tests, where it has them."""
from passgrid.cli import exit_on_error
from passgrid.steps import probe

with exit_on_error(snakemake.log):
    probe(snakemake.input.problems, snakemake.input.samples, snakemake.params.job, snakemake.output.probes,
          snakemake.output.written, workers=snakemake.threads)
