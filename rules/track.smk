# The only job that writes to the MLflow store: one writer, no locked SQLite.
rule track:
    input:
        summary=PATHS["summary"],
        report=PATHS["report"],
        fits=PATHS["fits"],
        crossings=PATHS["crossings"],
        references=PATHS["references"],
        mixes=PATHS["mixes"],
        figures=PATHS["figures"],
        cells=cell_inputs("per_problem", "config_json"),
    output:
        tracking=PATHS["tracking"],
    log:
        PATHS["log"].format(rule="track", job="grid"),
    params:
        cells=GRID.cell_records(),
        sweep=GRID.sweep,
        uri=GRID.tracking.uri,
        experiment=GRID.tracking.experiment,
        settings=GRID.settings(),
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/track.py"
