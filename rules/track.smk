# The only job that writes to the MLflow store: one writer, no locked SQLite.
rule track:
    input:
        summary=SUMMARY,
        report=REPORT,
        fits=FITS,
        crossings=CROSSINGS,
        figures=FIGURES,
        cells=cell_inputs("per_problem", "config_json"),
    output:
        tracking=TRACKING,
    params:
        cells=CELL_RECORDS,
        sweep=SWEEP,
        uri=next(iter(CELLS.values())).config["tracking"]["uri"],
        experiment=next(iter(CELLS.values())).config["tracking"]["experiment"],
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/track.py"
