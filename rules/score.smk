rule score:
    input:
        problems=lambda wildcards: GRID.problems_of_cell(wildcards.cell),
        executions=P["executions"],
    output:
        per_problem=P["per_problem"],
        scores=P["scores"],
    log:
        P["log"].format(rule="score", job="{cell}"),
    params:
        limit=lambda wildcards: GRID.cells[wildcards.cell].config["dataset"]["limit"],
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/score.py"


use rule score as score_strong with:
    input:
        problems=lambda wildcards: GRID.strong_problems_of_cell(wildcards.cell),
        executions=P["executions_strong"],
    output:
        per_problem=P["per_problem_strong"],
        scores=P["scores_strong"],
    log:
        P["log"].format(rule="score_strong", job="{cell}"),


rule cell_config:
    output:
        P["cell_config"],
    log:
        P["log"].format(rule="cell_config", job="{cell}"),
    params:
        config=lambda wildcards: GRID.record(wildcards.cell).config,
    localrule: True
    conda:
        "../envs/analysis.yaml"
    script:
        "../scripts/write_config.py"
