# The grid's analysis. Its params are lists and dicts, which Snakemake tracks
# whole: any change to a cell's config (a price included) or to the
# analysis reruns these, and nothing upstream.
rule summarize:
    input:
        cell_inputs("per_problem", "samples", "executions", "probes", "per_problem_strong"),
    output:
        summary=P["summary"],
        fits=P["fits"],
        crossings=P["crossings"],
    log:
        P["log"].format(rule="summarize", job="grid"),
    params:
        cells=GRID.cell_records(),
        analysis=GRID.analysis,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/summarize.py"


rule report:
    input:
        summary=P["summary"],
        fits=P["fits"],
        crossings=P["crossings"],
        per_problem=cell_inputs("per_problem"),
    output:
        report=P["report"],
        figures=directory(P["figures"]),
    log:
        P["log"].format(rule="report", job="grid"),
    params:
        cells=GRID.cell_records(),
        varying=GRID.varying_keys(),
        sweep=GRID.sweep,
        analysis=GRID.analysis,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/report.py"
