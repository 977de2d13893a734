# The only job that writes to the MLflow store: one writer, no locked SQLite.
rule track:
    input:
        summary=P["summary"],
        report=P["report"],
        fits=P["fits"],
        crossings=P["crossings"],
        figures=P["figures"],
        cells=cell_inputs("per_problem", "config_json"),
    output:
        tracking=P["tracking"],
    log:
        P["log"].format(rule="track", job="grid"),
    params:
        cells=GRID.cell_records(),
        sweep=GRID.sweep,
        uri=GRID.tracking["uri"],
        experiment=GRID.tracking["experiment"],
        settings=GRID.settings(),
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/track.py"
