"""Snakemake adapter: the grid's analysis into summary, fits, references, crossings and mixes tables."""
import os

# Snakemake gives BLAS the job's threads; here they are processes, one per
# cell, and BLAS threads beside them (on arrays this small) made the job
# three times slower (bench/summarize.py). Set before numpy loads.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

from passgrid.cli import exit_on_error  # noqa: E402
from passgrid.steps import summarize  # noqa: E402

with exit_on_error(snakemake.log):
    summarize(snakemake.params.cells, snakemake.params.analysis, snakemake.output.summary, snakemake.output.fits,
              snakemake.output.crossings, snakemake.output.references, snakemake.output.mixes,
              workers=snakemake.threads)
