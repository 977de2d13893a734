rule summarize:
    input:
        scores=per_cell(RUN + "/scores.csv"),
        samples=samples_per_cell(),
    output:
        summary=SUMMARY,
    params:
        cells=cell_records(),
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/summarize.py"


rule report:
    input:
        summary=SUMMARY,
    output:
        report=REPORT,
    params:
        varying=varying_keys(),
        sweep=SWEEP,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/report.py"
