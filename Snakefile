# passgrid: prepare_dataset -> sample -> execute -> score -> summarize/report -> track
#
#   snakemake --cores all                                   # the default sweep
#   snakemake --cores all --config sweep=smoke              # a named sweep (conf/sweep/)
#   snakemake --cores all --config overrides="sampling.temperature=0.2,0.8 dataset.limit=20"
#
# The grid (one cell per point of the sweep) is passgrid.grid.Grid, built in rules/common.smk.

include: "rules/common.smk"
include: "rules/dataset.smk"
include: "rules/sample.smk"
include: "rules/execute.smk"
include: "rules/score.smk"
include: "rules/report.smk"
include: "rules/track.smk"


rule all:
    input:
        PATHS["summary"],
        PATHS["report"],
        PATHS["tracking"],
