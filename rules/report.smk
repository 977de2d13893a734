# The grid's analysis. Snakemake tracks params of builtin types whole (a
# list of records by its repr; a dataclass alone not at all, hence the
# analysis' plain `reruns_on`): any change to a cell's config (a price
# included) or to the analysis reruns these, and nothing upstream.
rule summarize:
    input:
        cell_inputs("per_problem", "samples", "executions", "probes", "written", "per_problem_strong",
                    "executions_strong"),
    output:
        summary=PATHS["summary"],
        fits=PATHS["fits"],
        crossings=PATHS["crossings"],
        references=PATHS["references"],
        mixes=PATHS["mixes"],
    log:
        PATHS["log"].format(rule="summarize", job="grid"),
    params:
        cells=GRID.cell_records(),
        analysis=GRID.analysis,
        reruns_on=asdict(GRID.analysis),
    threads: LOCAL_CORES  # its cells are analysed side by side
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/summarize.py"


rule report:
    input:
        summary=PATHS["summary"],
        fits=PATHS["fits"],
        crossings=PATHS["crossings"],
        references=PATHS["references"],
        mixes=PATHS["mixes"],
        per_problem=cell_inputs("per_problem"),
    output:
        report=PATHS["report"],
        figures=directory(PATHS["figures"]),
    log:
        PATHS["log"].format(rule="report", job="grid"),
    params:
        cells=GRID.cell_records(),
        sweep=GRID.sweep,
        analysis=GRID.analysis,
        reruns_on=asdict(GRID.analysis),
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/report.py"
