# The only job that writes to the MLflow store: one writer, no locked SQLite.
rule track:
    input:
        summary=SUMMARY,
        report=REPORT,
        per_problem=per_cell(RUN + "/per_problem.csv"),
        configs=per_cell(RUN + "/config.json"),
    output:
        tracking=TRACKING,
    params:
        cells=cell_records(),
        sweep=SWEEP,
        uri=next(iter(CELLS.values())).config["tracking"]["uri"],
        experiment=next(iter(CELLS.values())).config["tracking"]["experiment"],
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/track.py"
