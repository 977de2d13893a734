rule summarize:
    input:
        cell_inputs("per_problem", "samples", "executions", "probes", "per_problem_strong"),
    output:
        summary=SUMMARY,
        fits=FITS,
        crossings=CROSSINGS,
    params:
        cells=CELL_RECORDS,
        analysis=ANALYSIS,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/summarize.py"


rule report:
    input:
        summary=SUMMARY,
        fits=FITS,
        crossings=CROSSINGS,
        per_problem=cell_inputs("per_problem"),
    output:
        report=REPORT,
        figures=directory(FIGURES),
    params:
        cells=CELL_RECORDS,
        varying=varying_keys(),
        sweep=SWEEP,
        analysis=ANALYSIS,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/report.py"
